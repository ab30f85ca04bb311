import { type Kysely, sql } from 'kysely';

// A case's advisory: one row per case, its revisions (kept, each a whole ja/en document), and the
// publication record made once, at the embargo instant, from the approved revision (frozen: the public
// portal reads it and nothing changes it).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE advisories (
      case_id uuid PRIMARY KEY REFERENCES vulnerability_cases (id),
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      modified_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE advisory_revisions (
      case_id uuid NOT NULL REFERENCES advisories (case_id),
      number integer NOT NULL CHECK (number >= 1),
      content jsonb NOT NULL,
      note text NOT NULL DEFAULT '',
      state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'approved', 'superseded', 'published')),
      author_id uuid REFERENCES users (id),
      approved_by uuid REFERENCES users (id),
      approved_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (case_id, number),
      CHECK (state NOT IN ('approved', 'published') OR approved_at IS NOT NULL)
    );
    CREATE UNIQUE INDEX advisory_revisions_one_approved ON advisory_revisions (case_id) WHERE state IN ('approved', 'published');

    CREATE TABLE advisory_publications (
      case_id uuid PRIMARY KEY REFERENCES vulnerability_cases (id),
      revision_number integer NOT NULL,
      public_id text NOT NULL UNIQUE,
      embargo_id uuid REFERENCES case_embargoes (id),
      document jsonb NOT NULL,
      published_by text NOT NULL,
      published_at timestamptz NOT NULL,
      FOREIGN KEY (case_id, revision_number) REFERENCES advisory_revisions (case_id, number)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE advisory_publications, advisory_revisions, advisories;`.execute(db);
}
