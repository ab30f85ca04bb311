import { type Kysely, sql } from 'kysely';

// The form key signs every public form's token now (report, reporter reply, and the forms to come), so it
// belongs to the public-site kit. Renamed, not remade: tokens in pages already shown keep their key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE report_form_keys RENAME TO public_form_keys`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE public_form_keys RENAME TO report_form_keys`.execute(db);
}
