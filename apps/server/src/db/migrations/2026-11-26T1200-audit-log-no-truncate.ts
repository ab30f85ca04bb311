import { type Kysely, sql } from 'kysely';

// The row trigger of the foundation refuses UPDATE and DELETE, but TRUNCATE fires no row triggers: it
// emptied the log, and an empty log verifies as intact. This closes that door too.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER audit_log_no_truncate ON audit_log`.execute(db);
}
