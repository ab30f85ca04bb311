import { type Kysely, sql } from 'kysely';

// A public form token files once: the first submission records it here, a second finds it taken. Rows are
// kept until the token would have expired anyway, then swept.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE public_form_tokens_spent (
      token text PRIMARY KEY CHECK (length(token) <= 200),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX public_form_tokens_spent_expires_at ON public_form_tokens_spent (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE public_form_tokens_spent`.execute(db);
}
