import { type Kysely, sql } from 'kysely';

// The publishable list of unreachable developers (JVN's procedure: announce the developer's name, wait,
// then the vulnerability may be published without it). One row per vendor participant the team announced.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE unreachable_announcements (
      participant_id uuid PRIMARY KEY REFERENCES case_participants (id),
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      announced_at timestamptz NOT NULL,
      publishable_from timestamptz NOT NULL,
      announced_by uuid REFERENCES users (id),
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CHECK (publishable_from >= announced_at)
    );
    CREATE INDEX unreachable_announcements_case ON unreachable_announcements (case_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE unreachable_announcements`.execute(db);
}
