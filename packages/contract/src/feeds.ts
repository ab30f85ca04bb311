import { type Static, Type } from '@sinclair/typebox';
import { TLP_LEVELS } from './tlp.ts';

export const FEED_FORMATS = ['shadowserver', 'csv'] as const;
export const FEED_EVENT_FIELDS = ['time', 'ip', 'port', 'protocol', 'hostname', 'tag', 'asn', 'country', 'report_type', 'ignore'] as const;
export const NOTIFICATION_FORMATS = ['csv', 'xarf'] as const;

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v))) as unknown as ReturnType<typeof Type.String>;
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const FeedTlp = literals(TLP_LEVELS);
export const MappingName = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'lower case letters, digits, . _ -' });

/** A saved column mapping for generic CSV feeds: header name (lower case) → event field. */
export const FeedMappingInput = Type.Object(
  {
    name: MappingName,
    columns: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), literals(FEED_EVENT_FIELDS), {
      description: 'e.g. {"src": "ip", "seen": "time", "dport": "port"}; unmapped columns are kept as extra fields',
    }),
    taxonomy: Type.String({ description: 'RSIT predicate, e.g. malicious-code' }),
    type: Type.String({ description: 'RSIT value, e.g. infected-system' }),
    tlp: Type.Optional(FeedTlp),
  },
  { additionalProperties: false },
);
export type FeedMappingInput = Static<typeof FeedMappingInput>;

export const FeedMapping = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  columns: Type.Record(Type.String(), Type.String()),
  taxonomy: Type.String(),
  type: Type.String(),
  tlp: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type FeedMapping = Static<typeof FeedMapping>;

export const FeedRun = Type.Object({
  id: Type.String({ format: 'uuid' }),
  origin: Type.String(),
  format: Type.String(),
  mappingName: Nullable(Type.String()),
  originalSha256: Nullable(Type.String()),
  state: Type.String({ description: 'running | completed | failed' }),
  error: Nullable(Type.String()),
  rowsRead: Type.Integer(),
  eventsStored: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Integer(),
  bytesRead: Type.Integer(),
  seconds: Type.Number(),
  eventsPerSecond: Type.Number(),
  startedBy: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type FeedRun = Static<typeof FeedRun>;

export const FeedReject = Type.Object({
  line: Type.Integer(),
  reason: Type.String(),
  excerpt: Type.String({ description: 'the first bytes of the line, as text (untrusted)' }),
});
export const FeedRunDetail = Type.Intersect([FeedRun, Type.Object({ rejects: Type.Array(FeedReject, { description: 'the first 1,000 rejected lines' }) })]);
export type FeedRunDetail = Static<typeof FeedRunDetail>;

export const FeedEvent = Type.Object({
  id: Type.Integer(),
  runId: Type.String({ format: 'uuid' }),
  source: Type.String(),
  reportType: Type.String(),
  taxonomy: Type.String(),
  type: Type.String(),
  observedAt: Type.String({ format: 'date-time' }),
  ip: Type.String(),
  port: Nullable(Type.Integer()),
  protocol: Nullable(Type.String()),
  hostname: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  asn: Nullable(Type.Integer()),
  country: Nullable(Type.String()),
  organisationId: Nullable(Type.String({ format: 'uuid' })),
  recipient: Nullable(Type.String()),
  tlp: Type.String(),
  line: Type.Integer(),
  extra: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  notificationId: Nullable(Type.String({ format: 'uuid' })),
  withheld: Type.Boolean(),
});
export type FeedEvent = Static<typeof FeedEvent>;

export const FeedEventQuery = Type.Object({
  recipient: Type.Optional(Type.String({ maxLength: 320 })),
  type: Type.Optional(Type.String({ maxLength: 64, description: 'RSIT value, e.g. ddos-amplifier' })),
  notificationId: Type.Optional(Type.String({ format: 'uuid' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'page cursor: events with a smaller id (the last id of the previous page)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
export type FeedEventQuery = Static<typeof FeedEventQuery>;

export const FeedEventPage = Type.Object({
  items: Type.Array(FeedEvent),
  next: Nullable(Type.Integer({ description: 'pass as before= for the next page; null = last page' })),
});
export type FeedEventPage = Static<typeof FeedEventPage>;

export const FeedNotification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String(),
  organisationId: Nullable(Type.String({ format: 'uuid' })),
  recipient: Type.String(),
  format: Type.String(),
  language: Type.String(),
  tlpCeiling: Type.String(),
  tlp: Nullable(Type.String()),
  eventCount: Type.Integer(),
  withheldCount: Type.Integer(),
  state: Type.String({ description: 'pending | queued | withheld | failed' }),
  error: Nullable(Type.String()),
  attachmentSha256: Nullable(Type.String()),
  mailMessageId: Nullable(Type.String({ format: 'uuid' })),
  threadId: Nullable(Type.String({ format: 'uuid' })),
  createdAt: Type.String({ format: 'date-time' }),
  queuedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type FeedNotification = Static<typeof FeedNotification>;

export const FeedNotificationDetail = Type.Intersect([
  FeedNotification,
  Type.Object({
    events: Type.Array(FeedEvent, { description: 'the first 100 events (page the rest with /feeds/events?notificationId=)' }),
    replies: Type.Array(
      Type.Object({
        id: Type.String({ format: 'uuid' }),
        direction: Type.String(),
        subject: Type.String(),
        fromAddress: Nullable(Type.String()),
        receivedAt: Type.String({ format: 'date-time' }),
      }),
      { description: "messages in the notification's mail thread" },
    ),
  }),
]);
export type FeedNotificationDetail = Static<typeof FeedNotificationDetail>;

export const FeedSourceInput = Type.Object(
  {
    name: MappingName,
    url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    format: literals(FEED_FORMATS),
    mapping: Type.Optional(MappingName),
    reportType: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,64}$' })),
    tlp: Type.Optional(FeedTlp),
    intervalMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 44640, default: 1440 })),
  },
  { additionalProperties: false },
);
export type FeedSourceInput = Static<typeof FeedSourceInput>;

export const FeedSource = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  url: Type.String(),
  format: Type.String(),
  mappingId: Nullable(Type.String({ format: 'uuid' })),
  reportType: Nullable(Type.String()),
  tlp: Type.String(),
  intervalMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  lastFetchedAt: Nullable(Type.String({ format: 'date-time' })),
  lastStatus: Nullable(Type.String()),
});
export type FeedSource = Static<typeof FeedSource>;

export const FeedPageQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export const FeedRunPage = Type.Object({ items: Type.Array(FeedRun), total: Type.Integer() });
export const FeedNotificationPage = Type.Object({ items: Type.Array(FeedNotification), total: Type.Integer() });
