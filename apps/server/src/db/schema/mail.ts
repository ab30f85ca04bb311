import type { ColumnType, Generated } from 'kysely';

export interface MailThreadsTable {
  id: Generated<string>;
  /** The reply token people and subjects carry, e.g. `IR-2026-000123`; unique. */
  key: string;
  subject: string;
  created_at: ColumnType<Date, never, never>;
  last_message_at: ColumnType<Date, Date | undefined, Date>;
}

export interface MailMessagesTable {
  id: Generated<string>;
  direction: 'inbound' | 'outbound';
  /** NULL = in no thread yet: a reply that matched none (flag `unmatched_reply`) waits for an analyst. */
  thread_id: string | null;
  /**
   * inbound: stored | rejected_parts (over the part limit: raw and top headers kept, no parts) |
   * rejected_headers (over the header-size limit: raw kept, nothing parsed) | parse_failed (raw kept, MIME unreadable);
   * outbound: held (not sent: no relay configured; queued once a process with a relay starts) |
   * queued (waiting for the relay job) | sending (one attempt is handing it to the relay) | sent (relay took it) |
   * failed (refused, or retries exhausted) | unconfirmed (an attempt died mid-hand-over: the relay may have it; not resent).
   */
  status: 'stored' | 'rejected_parts' | 'rejected_headers' | 'parse_failed' | 'held' | 'queued' | 'sending' | 'sent' | 'failed' | 'unconfirmed';
  /** Why the status is what it is, for a person; NULL = nothing to say. */
  status_detail: string | null;
  /** The original bytes (inbound) or the bytes handed to the relay (outbound), in the blob store. */
  raw_sha256: string;
  raw_size: number;
  /** Message-ID without angle brackets; NULL = the message had none. */
  message_id: string | null;
  in_reply_to: string | null;
  references: ColumnType<string[], string[] | undefined, string[]>;
  subject: Generated<string>;
  from_address: string | null;
  from_name: string | null;
  to_addresses: ColumnType<string[], string[] | undefined, string[]>;
  cc_addresses: ColumnType<string[], string[] | undefined, string[]>;
  envelope_from: string | null;
  envelope_to: ColumnType<string[], string[] | undefined, string[]>;
  client_address: string | null;
  /** The Date header; NULL = absent or unreadable. */
  sent_at: Date | null;
  received_at: ColumnType<Date, Date | undefined, never>;
  /** [name, value][] of the top-level headers, capped. Untrusted input. */
  headers: ColumnType<[string, string][], string, string>;
  /** Plain text body (decrypted when it was encrypted to us). Untrusted input. */
  text_body: Generated<string>;
  /** The HTML body as received: stored, never served as HTML. NULL = none. Untrusted input. */
  html_body: string | null;
  /** The HTML body reduced to text (tags dropped, entities decoded); what the UI shows of it. */
  html_text: string | null;
  /** unmatched_reply | auto_reply | dsn | over_header_limit … */
  flags: ColumnType<string[], string[] | undefined, string[]>;
  /** The TLP label of the message; NULL = none given. */
  tlp: string | null;
  pgp_status: Generated<'unsigned' | 'good' | 'bad' | 'unknown_key' | 'expired_key' | 'revoked_key'>;
  /** NULL = no PGP at all. */
  pgp_format: 'pgp_mime' | 'inline' | null;
  /** Upper-case hex key IDs the signatures name: the handle for re-checking when a key arrives. */
  pgp_signer_key_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** Fingerprint of the directory key that verified (or failed) the signature; NULL = none found. */
  pgp_signer_fingerprint: string | null;
  pgp_encryption: Generated<'none' | 'decrypted' | 'failed'>;
  pgp_detail: string | null;
  /** When the signature was last checked; NULL = never (unsigned). */
  pgp_checked_at: Date | null;
  /** Outbound only (NULL for inbound): pending → relayed → delivered | delayed | failed | bounced (DSN). */
  delivery_status: 'pending' | 'relayed' | 'delivered' | 'delayed' | 'failed' | 'bounced' | null;
  delivery_detail: string | null;
  delivery_updated_at: Date | null;
  /** Hand-overs to the relay started (each marked `sending` first); the guard's attempt number. */
  send_attempts: Generated<number>;
  /** The user who sent an outbound message; NULL = inbound or the system. */
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface MailPartsTable {
  id: Generated<string>;
  message_id: string;
  /** Position among the message's attachments, from 0. */
  ordinal: number;
  /** Name as the sender gave it (untrusted input); NULL = none given. */
  filename: string | null;
  content_type: string;
  disposition: string | null;
  content_id: string | null;
  size: number;
  sha256: string;
  /** TRUE when the part came out of a PGP-encrypted body. */
  from_encrypted: Generated<boolean>;
}

export interface MailAddressStatusTable {
  /** Lower-case e-mail address. */
  address: string;
  last_status: 'delivered' | 'delayed' | 'failed' | 'bounced';
  last_detail: string | null;
  /** The outbound message the report was about; NULL = since deleted. */
  last_message_id: string | null;
  bounce_count: Generated<number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
