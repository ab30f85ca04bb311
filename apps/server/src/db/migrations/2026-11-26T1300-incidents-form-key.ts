import { type Kysely, sql } from 'kysely';

// The key that signs the public report form's anti-forgery token: in the database so every server
// process behind a load balancer accepts the tokens any of them issued.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE report_form_keys (
      id smallint PRIMARY KEY CHECK (id = 1),
      key bytea NOT NULL CHECK (length(key) = 32),
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE report_form_keys`.execute(db);
}
