import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';

/**
 * Webhooks for vendors' and partners' tools: an organisation's endpoints, the events they may want, and
 * the deliveries with their attempts. Each delivery is a POST of a small JSON document signed with the
 * endpoint's secret: `Renkei-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with the
 * event's id in `Renkei-Event-Id` (the same on every retry: the receiver's idempotency key).
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

export const WEBHOOK_EVENT_TYPES = [
  'case.shared',
  'message.created',
  'status.changed',
  'embargo.proposed',
  'embargo.decided',
  'advisory.preview',
  'case.published',
  'case.released_early',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

/** Limits of an endpoint's fields. */
export const WEBHOOK_LIMITS = { url: 2_000, description: 200 } as const;

export const WebhookEndpoint = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  organisationName: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(literals(WEBHOOK_EVENT_TYPES)),
  active: Type.Boolean(),
  createdAt: Timestamp,
  secretRotatedAt: Type.Union([Timestamp, Type.Null()]),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** The endpoint with its secret: answered once, at creation and at each rotation, never again. */
export const WebhookEndpointWithSecret = Type.Object({ endpoint: WebhookEndpoint, secret: Type.String() });
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

export const CreateWebhookRequest = Type.Object(
  {
    organisationId: Uuid,
    url: Type.String({ minLength: 1, maxLength: WEBHOOK_LIMITS.url }),
    description: Type.Optional(Type.String({ maxLength: WEBHOOK_LIMITS.description })),
    events: Type.Array(literals(WEBHOOK_EVENT_TYPES), { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateWebhookRequest = Static<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = Type.Object(
  {
    active: Type.Optional(Type.Boolean()),
    events: Type.Optional(Type.Array(literals(WEBHOOK_EVENT_TYPES), { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true })),
    description: Type.Optional(Type.String({ maxLength: WEBHOOK_LIMITS.description })),
  },
  { additionalProperties: false },
);
export type UpdateWebhookRequest = Static<typeof UpdateWebhookRequest>;

export const WebhookAttempt = Type.Object({
  attempt: Type.Integer(),
  at: Timestamp,
  /** null: no HTTP answer (refused, unreachable, timed out). */
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

export const WebhookDelivery = Type.Object({
  id: Uuid,
  eventType: Type.String(),
  caseId: Type.Union([Uuid, Type.Null()]),
  state: literals(WEBHOOK_DELIVERY_STATES),
  createdAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
  attempts: Type.Array(WebhookAttempt),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;
