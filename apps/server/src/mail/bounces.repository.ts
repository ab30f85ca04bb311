import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { MailAddressStatusTable, MailMessagesTable } from '../db/schema/mail.ts';

/** The SQL of bounces: delivery status on outbound messages and the per-address status (`mail_address_status`). */

export type MailAddressStatusRow = Selectable<MailAddressStatusTable>;

/** The outbound message with one of these Message-IDs (or, for UUIDs, IDs), or null. */
export async function findOutboundByIds(
  trx: Kysely<Schema>,
  messageIds: readonly string[],
  ids: readonly string[],
): Promise<{ id: string; threadId: string | null } | null> {
  const row = await trx
    .selectFrom('mail_messages')
    .select(['id', 'thread_id'])
    .where('direction', '=', 'outbound')
    .where((eb) => eb.or([eb('message_id', 'in', [...messageIds]), ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : [])]))
    .executeTakeFirst();
  return row ? { id: row.id, threadId: row.thread_id } : null;
}

export async function setDeliveryStatus(
  trx: Kysely<Schema>,
  id: string,
  status: NonNullable<Selectable<MailMessagesTable>['delivery_status']>,
  detail: string | null,
): Promise<void> {
  await trx
    .updateTable('mail_messages')
    .set({ delivery_status: status, delivery_detail: detail, delivery_updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Records what a report said about an address; a bounce counts one more. */
export async function upsertAddressStatus(
  trx: Kysely<Schema>,
  input: { address: string; lastStatus: MailAddressStatusRow['last_status']; detail: string | null; messageId: string },
): Promise<void> {
  const { address, lastStatus, detail, messageId } = input;
  await trx
    .insertInto('mail_address_status')
    .values({
      address,
      last_status: lastStatus,
      last_detail: detail,
      last_message_id: messageId,
      bounce_count: lastStatus === 'bounced' ? 1 : 0,
    })
    .onConflict((oc) =>
      oc.column('address').doUpdateSet((eb) => ({
        last_status: lastStatus,
        last_detail: detail,
        last_message_id: messageId,
        updated_at: new Date(),
        bounce_count: lastStatus === 'bounced' ? eb('mail_address_status.bounce_count', '+', 1) : eb.ref('mail_address_status.bounce_count'),
      })),
    )
    .execute();
}

/** The address's row, undefined when no report named it. */
export async function findAddressStatus(db: Kysely<Schema>, address: string): Promise<MailAddressStatusRow | undefined> {
  return db.selectFrom('mail_address_status').selectAll().where('address', '=', address.toLowerCase()).executeTakeFirst();
}
