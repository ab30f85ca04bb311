import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';
import { TLP_LABELS } from './tlp.ts';

export const PGP_STATUSES = ['unsigned', 'good', 'bad', 'unknown_key', 'expired_key', 'revoked_key'] as const;
export type PgpStatus = (typeof PGP_STATUSES)[number];

/** A string enum whose static type is the union of its values. */
const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const PgpStatusSchema = literals(PGP_STATUSES);
const TlpSchema = literals(TLP_LABELS);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const MailPart = Type.Object({
  id: Uuid,
  filename: Nullable(Type.String({ description: 'As the sender named it: untrusted' })),
  contentType: Type.String({ description: 'As the sender declared it; downloads are always application/octet-stream' }),
  size: Type.Integer(),
  sha256: Type.String(),
  fromEncrypted: Type.Boolean(),
});
export type MailPart = Static<typeof MailPart>;

export const MailMessageSummary = Type.Object({
  id: Uuid,
  direction: literals(['inbound', 'outbound'] as const),
  threadId: Nullable(Uuid),
  threadKey: Nullable(Type.String()),
  status: Type.String({
    description:
      'inbound: stored | rejected_parts | rejected_headers | parse_failed; outbound: held (not sent: no relay configured; queued when the server starts with RENKEI_SMTP_RELAY) | queued | sending | sent | failed | unconfirmed (a worker stopped mid-hand-over; not resent)',
  }),
  subject: Type.String(),
  fromAddress: Nullable(Type.String()),
  fromName: Nullable(Type.String()),
  to: Type.Array(Type.String()),
  receivedAt: Timestamp,
  pgpStatus: PgpStatusSchema,
  pgpEncryption: literals(['none', 'decrypted', 'failed'] as const),
  flags: Type.Array(Type.String({ description: 'unmatched_reply | auto_reply | dsn' })),
  tlp: Nullable(Type.String()),
  attachmentCount: Type.Integer(),
  deliveryStatus: Nullable(Type.String()),
});
export type MailMessageSummary = Static<typeof MailMessageSummary>;

export const MailMessageDetail = Type.Composite([
  MailMessageSummary,
  Type.Object({
    messageId: Nullable(Type.String()),
    inReplyTo: Nullable(Type.String()),
    references: Type.Array(Type.String()),
    cc: Type.Array(Type.String()),
    sentAt: Nullable(Timestamp),
    statusDetail: Nullable(Type.String()),
    headers: Type.Array(Type.Tuple([Type.String(), Type.String()])),
    textBody: Type.String({ description: 'Plain text (decrypted when it was encrypted to us). Untrusted: display as text' }),
    htmlText: Nullable(Type.String({ description: 'The HTML body reduced to text; the HTML itself is never served' })),
    hasHtml: Type.Boolean(),
    pgpFormat: Nullable(Type.String()),
    pgpSignerKeyIds: Type.Array(Type.String()),
    pgpSignerFingerprint: Nullable(Type.String()),
    pgpDetail: Nullable(Type.String()),
    pgpCheckedAt: Nullable(Timestamp),
    deliveryDetail: Nullable(Type.String()),
    rawSize: Type.Integer(),
    rawSha256: Type.String(),
    parts: Type.Array(MailPart),
  }),
]);
export type MailMessageDetail = Static<typeof MailMessageDetail>;

export const MailThread = Type.Object({
  id: Uuid,
  key: Type.String(),
  subject: Type.String(),
  createdAt: Timestamp,
  lastMessageAt: Timestamp,
  messageCount: Type.Integer(),
});
export type MailThread = Static<typeof MailThread>;

export const SendMailRequest = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 254 }),
    subject: Type.String({ minLength: 1, maxLength: 500 }),
    text: Type.String({ minLength: 1, maxLength: 500_000 }),
    tlp: TlpSchema,
    threadId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const Variables = Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,40}$' }), Type.String({ maxLength: 100_000 }), { maxProperties: 50 });

export const SendTemplateRequest = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 254 }),
    template: Type.String({ maxLength: 100 }),
    variables: Variables,
    tlp: TlpSchema,
    language: Type.Optional(literals(['en', 'ja'] as const)),
    threadId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const TemplatePreviewRequest = Type.Object(
  {
    to: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    variables: Variables,
    tlp: TlpSchema,
    language: Type.Optional(literals(['en', 'ja'] as const)),
  },
  { additionalProperties: false },
);

export const RenderedMail = Type.Object({
  language: literals(['en', 'ja'] as const),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String({ description: 'The HTML part as it will be sent; variables escaped' }),
});
export type RenderedMail = Static<typeof RenderedMail>;

export const MailTemplateInfo = Type.Object({ name: Type.String(), description: Type.String(), variables: Type.Array(Type.String()) });
