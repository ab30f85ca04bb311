import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { DeliveryReport } from './dsn.ts';
import { type MailAddressStatusRow, findAddressStatus, findOutboundByIds, setDeliveryStatus, upsertAddressStatus } from './bounces.repository.ts';

/**
 * Records a DSN on the outbound message it names and on each address; returns that message's thread.
 * @example const threadId = await applyDeliveryReport(trx, report);
 */
export async function applyDeliveryReport(trx: Kysely<Schema>, report: DeliveryReport): Promise<string | null> {
  const candidates = [report.originalMessageId, report.envelopeId].filter((v): v is string => v !== null);
  if (candidates.length === 0) return null;
  const original = await findOutboundByIds(trx, candidates, candidates.filter(isUuid));
  if (!original) return null;
  const worst = report.recipients.find((r) => r.action === 'failed') ?? report.recipients.find((r) => r.action === 'delayed') ?? report.recipients[0];
  if (worst) {
    const status = worst.action === 'failed' ? 'bounced' : worst.action === 'delayed' ? 'delayed' : worst.action === 'delivered' ? 'delivered' : 'relayed';
    const detail = [worst.status, worst.diagnostic].filter(Boolean).join(' ') || null;
    await setDeliveryStatus(trx, original.id, status, detail);
  }
  for (const recipient of report.recipients) {
    if (recipient.action === 'relayed' || recipient.action === 'expanded') continue;
    const lastStatus = recipient.action === 'failed' ? 'bounced' : recipient.action;
    const detail = [recipient.status, recipient.diagnostic].filter(Boolean).join(' ') || null;
    await upsertAddressStatus(trx, { address: recipient.address, lastStatus, detail, messageId: original.id });
  }
  return original.threadId;
}

/**
 * What DSNs last said about an address (the directory shows it on the contact); undefined when none did.
 * @example const status = await addressStatus(db, 'abuse@example.org');
 */
export async function addressStatus(db: Kysely<Schema>, address: string): Promise<MailAddressStatusRow | undefined> {
  return findAddressStatus(db, address);
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
