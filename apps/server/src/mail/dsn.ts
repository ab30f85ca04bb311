import { type ParsedAttachment, messageIdOf } from './inbound-parse.ts';

/** One recipient's fate in a delivery status notification (RFC 3464 §2.3). */
export interface DsnRecipient {
  address: string;
  /** Action field: failed | delayed | delivered | relayed | expanded. */
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
  /** Status code, e.g. `5.1.1`; null when absent. */
  status: string | null;
  diagnostic: string | null;
}

export interface DeliveryReport {
  /** Message-ID of the message the report is about (from the returned headers), or null. */
  originalMessageId: string | null;
  /** Original-Envelope-Id, which we set to our message's ID when the relay supports DSN. */
  envelopeId: string | null;
  recipients: DsnRecipient[];
}

const ACTIONS = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

/**
 * Reads a multipart/report DSN's parts (as postal-mime gave them) into a report. Untrusted input;
 * returns null when there is no message/delivery-status part.
 * @example const report = readDeliveryReport(parsed.attachments);
 */
export function readDeliveryReport(parts: readonly ParsedAttachment[]): DeliveryReport | null {
  const statusPart = parts.find((p) => p.contentType === 'message/delivery-status' || p.contentType === 'message/global-delivery-status');
  if (!statusPart) return null;
  const text = Buffer.from(statusPart.content)
    .subarray(0, 256 * 1024)
    .toString('utf8');
  const groups = text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map(fields)
    .filter((g) => g.size > 0);
  const perMessage = groups[0] ?? new Map<string, string>();
  const recipients: DsnRecipient[] = [];
  for (const group of groups.slice(1, 201)) {
    const recipient = group.get('final-recipient') ?? group.get('original-recipient');
    const action = group.get('action')?.toLowerCase().trim();
    if (!recipient || !action || !ACTIONS.has(action)) continue;
    const address = recipient.includes(';') ? recipient.slice(recipient.indexOf(';') + 1) : recipient;
    recipients.push({
      address: address.trim().replace(/^<|>$/g, '').toLowerCase().slice(0, 320),
      action: action as DsnRecipient['action'],
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(group.get('status') ?? '')?.[0] ?? null,
      diagnostic: group.get('diagnostic-code')?.slice(0, 1000) ?? null,
    });
  }
  const original = parts.find(
    (p) => p.contentType === 'message/rfc822' || p.contentType === 'text/rfc822-headers' || p.contentType === 'message/global-headers',
  );
  let originalMessageId: string | null = null;
  if (original) {
    const head = Buffer.from(original.content)
      .subarray(0, 64 * 1024)
      .toString('latin1');
    const headerBlock = head.split(/\r?\n\r?\n/)[0] ?? '';
    const found = /^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(headerBlock)?.[1];
    originalMessageId = messageIdOf(found ?? null);
  }
  return { originalMessageId, envelopeId: perMessage.get('original-envelope-id')?.trim().slice(0, 500) ?? null, recipients };
}

function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | null = null;
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && last) {
      out.set(last, `${out.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}
