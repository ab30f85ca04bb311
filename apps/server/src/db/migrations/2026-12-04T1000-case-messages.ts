import { type Kysely, sql } from 'kysely';

// Messages of a vulnerability case: the case thread every shared participant reads, threads per
// vulnerability or product, and private threads between the team and one participant. Read state per
// user, for "changed since my last visit".
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE case_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      private_to uuid REFERENCES case_participants (id),
      vulnerability_id uuid REFERENCES case_vulnerabilities (id),
      product_name text NOT NULL DEFAULT '',
      author_id uuid REFERENCES users (id),
      author_participant uuid REFERENCES case_participants (id),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX case_messages_case ON case_messages (case_id, created_at, id);

    CREATE TABLE case_reads (
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      user_id uuid NOT NULL REFERENCES users (id),
      seen_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, case_id)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE case_reads, case_messages`.execute(db);
}
