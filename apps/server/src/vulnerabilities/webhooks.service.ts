import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type CreateWebhookRequest, type UpdateWebhookRequest, WEBHOOK_LIMITS } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { boundedPost } from '../kernel/bounded-fetch.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { type FetchGuard, checkDestination } from '../kernel/fetch-guard.ts';
import { parseIp } from '../kernel/ip.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { hasAnyRole } from '../policy/define-policy.ts';
import { DELIVER_WEBHOOK_JOB, type WebhookPayload, insertDelivery } from './webhook-events.ts';
import {
  type EndpointRecord,
  deliveryForSending,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  recentDeliveries,
  recordAttempt,
  updateEndpoint,
} from './webhooks.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

export interface WebhooksDeps {
  db: Kysely<Schema>;
  jobs: Pick<JobQueue, 'enqueue' | 'start'>;
  organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
  now: () => Date;
  /** Where deliveries may go (RENKEI_FETCH_ALLOW lets internal receivers through). */
  guard: FetchGuard;
  /** The longest one attempt may take, connection to answer. */
  timeoutMs: number;
}

/** The signature header of a body sent at `timestamp` (unix seconds): HMAC-SHA256 over `<timestamp>.<body>`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const webhookNotFound = () => new NotFoundError('webhook_not_found', 'No such webhook endpoint');
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** An endpoint's URL: http(s), no credentials, no literal internal address (a named host is checked at every delivery). */
function endpointUrl(text: string): string {
  // text is untrusted input.
  const trimmed = text.trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (trimmed.length > WEBHOOK_LIMITS.url || /[\s\u0000-\u001f\u007f]/.test(trimmed)) throw new BadRequestError('invalid_webhook_url', 'Not a usable URL');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new BadRequestError('invalid_webhook_url', 'Not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BadRequestError('invalid_webhook_url', 'A webhook URL is http or https');
  if (url.username || url.password) throw new BadRequestError('invalid_webhook_url', 'A webhook URL carries no user name or password');
  if (!url.hostname) throw new BadRequestError('invalid_webhook_url', 'A webhook URL names a host');
  if (url.href.length > WEBHOOK_LIMITS.url) throw new BadRequestError('invalid_webhook_url', 'The URL is too long');
  return url.href;
}

/**
 * Webhooks for vendors' and partners' tools: an organisation's users (and admins) manage its endpoints;
 * events of the cases shared with it are delivered by a job per delivery (`webhook-events.ts` writes
 * them with each change), signed, retried with backoff, each attempt recorded.
 */
export function createWebhooks(deps: WebhooksDeps) {
  const { db, now } = deps;

  /** The organisations whose endpoints the actor manages: null for every one (admin). */
  function managedOrganisations(ctx: RequestContext): string[] | null {
    vulnerabilitiesPolicy.authorize(ctx.actor, 'webhooks.manage');
    if (ctx.actor.kind === 'system') return null;
    if (ctx.actor.kind !== 'user') return [];
    return hasAnyRole(ctx.actor, ['admin']) ? null : ctx.actor.memberships.map((m) => m.organisationId);
  }

  async function openEndpoint(ctx: RequestContext, id: string): Promise<EndpointRecord> {
    // One endpoint of a role that manages none is as absent as another organisation's.
    if (!vulnerabilitiesPolicy.can(ctx.actor, 'webhooks.manage')) throw webhookNotFound();
    const managed = managedOrganisations(ctx);
    const endpoint = await findEndpoint(db, id);
    if (!endpoint || (managed !== null && !managed.includes(endpoint.organisationId))) throw webhookNotFound();
    return endpoint;
  }

  async function withNames(endpoints: EndpointRecord[]) {
    const names = await deps.organisationsByIds([...new Set(endpoints.map((e) => e.organisationId))]);
    return endpoints.map((e) => ({ ...e, organisationName: names.get(e.organisationId)?.name ?? '' }));
  }

  /** A change of an endpoint and its audit entry, in one transaction. */
  function change(ctx: RequestContext, action: string, write: (trx: Kysely<Schema>) => Promise<EndpointRecord>, after: unknown) {
    return db.transaction().execute(async (trx) => {
      const endpoint = await write(trx);
      await recordAudit(trx, ctx, { action, targetType: 'webhook_endpoint', targetId: endpoint.id, after });
      return endpoint;
    });
  }

  return {
    async listWebhooks(ctx: RequestContext, organisationId?: string) {
      const managed = managedOrganisations(ctx);
      const wanted = organisationId ? (managed === null || managed.includes(organisationId) ? [organisationId] : []) : managed;
      return withNames(await listEndpoints(db, wanted));
    },

    /** A new endpoint, with its secret answered this once. */
    async createWebhook(ctx: RequestContext, input: CreateWebhookRequest) {
      const managed = managedOrganisations(ctx);
      if (managed !== null && !managed.includes(input.organisationId)) throw new NotFoundError('organisation_not_found', 'No such organisation');
      if (!(await deps.organisationsByIds([input.organisationId])).has(input.organisationId))
        throw new NotFoundError('organisation_not_found', 'No such organisation');
      const url = endpointUrl(input.url);
      const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
      // A literal internal address is refused now; a name is checked after DNS at every delivery.
      if (parseIp(host)) await checkDestination(new URL(url), deps.guard);
      const secret = newSecret();
      const description = cleanText(input.description ?? '', WEBHOOK_LIMITS.description).trim();
      const endpoint = await change(
        ctx,
        'webhook.create',
        (trx) => insertEndpoint(trx, { organisationId: input.organisationId, url, description, events: input.events, secret, createdBy: actorId(ctx.actor) }),
        { url, events: input.events },
      );
      const [named] = await withNames([endpoint]);
      return { endpoint: named!, secret };
    },

    async updateWebhook(ctx: RequestContext, id: string, input: UpdateWebhookRequest) {
      await openEndpoint(ctx, id);
      const description = input.description === undefined ? undefined : cleanText(input.description, WEBHOOK_LIMITS.description).trim();
      const endpoint = await change(ctx, 'webhook.update', (trx) => updateEndpoint(trx, id, { active: input.active, events: input.events, description }), {
        active: input.active,
        events: input.events,
      });
      return (await withNames([endpoint]))[0]!;
    },

    /** A new secret, answered this once; the old one signs nothing more. */
    async rotateWebhookSecret(ctx: RequestContext, id: string) {
      await openEndpoint(ctx, id);
      const secret = newSecret();
      const endpoint = await change(ctx, 'webhook.rotate_secret', (trx) => updateEndpoint(trx, id, { secret, secretRotatedAt: now() }), {});
      return { endpoint: (await withNames([endpoint]))[0]!, secret };
    },

    /** Sends a `ping` event to the endpoint now (through the same job, signature and retries). */
    async pingWebhook(ctx: RequestContext, id: string): Promise<{ deliveryId: string }> {
      const endpoint = await openEndpoint(ctx, id);
      if (!endpoint.active) throw new BadRequestError('webhook_inactive', 'This endpoint is deactivated');
      const deliveryId = randomUUID();
      const payload: WebhookPayload = { id: deliveryId, type: 'ping', caseId: null, reference: null, modified: now().toISOString(), url: '' };
      await deps.jobs.start();
      await db.transaction().execute(async (trx) => {
        await insertDelivery(trx, { id: deliveryId, endpointId: id, type: 'ping', caseId: null, payload });
        await deps.jobs.enqueue(DELIVER_WEBHOOK_JOB, { deliveryId }, { trx, idempotencyKey: deliveryId });
      });
      return { deliveryId };
    },

    async listWebhookDeliveries(ctx: RequestContext, id: string, limit = 50) {
      await openEndpoint(ctx, id);
      return recentDeliveries(db, id, Math.min(Math.max(limit, 1), 200));
    },

    /**
     * The job: one attempt of one delivery. A 2xx answer delivers it; anything else is recorded and
     * thrown for the queue to retry with backoff, until the last attempt marks it failed.
     */
    async deliverWebhook(deliveryId: string, job: { attempt: number; maxAttempts: number; signal?: AbortSignal }): Promise<{ state: string }> {
      const delivery = await deliveryForSending(db, deliveryId);
      if (!delivery || delivery.state !== 'pending') return { state: delivery?.state ?? 'absent' };
      const attempt = delivery.attempts + 1;
      const at = now();
      if (!delivery.active) {
        await recordAttempt(db, { deliveryId, attempt, at, statusCode: null, error: 'endpoint deactivated', durationMs: 0, state: 'failed' });
        return { state: 'failed' };
      }
      const body = JSON.stringify(delivery.payload);
      const timestamp = Math.floor(Date.now() / 1000);
      const started = performance.now();
      const outcome = await boundedPost(
        delivery.url,
        Buffer.from(body),
        {
          'content-type': 'application/json',
          'renkei-signature': signatureHeader(delivery.secret, timestamp, body),
          'renkei-event-id': delivery.id,
          'renkei-event': delivery.event_type,
        },
        { timeoutMs: deps.timeoutMs, maxBytes: 64 * 1024, guard: deps.guard, userAgent: 'Renkei-Webhooks', signal: job.signal },
      );
      const durationMs = Math.round(performance.now() - started);
      const statusCode = outcome.status === 'answered' ? outcome.statusCode : null;
      const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
      const error = ok ? null : outcome.status === 'answered' ? `HTTP ${outcome.statusCode}` : cleanText(outcome.detail, 500);
      const state = ok ? 'delivered' : Math.max(attempt, job.attempt) >= job.maxAttempts ? 'failed' : 'pending';
      await recordAttempt(db, { deliveryId, attempt, at, statusCode, error, durationMs, state });
      if (state === 'pending') throw new Error(`webhook delivery ${deliveryId} attempt ${attempt}: ${error}`);
      return { state };
    },
  };
}
