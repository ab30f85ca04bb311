import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { WebhookEventType } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';

/** Sends one webhook delivery (enqueued with the change it reports, keyed by the delivery). */
export const DELIVER_WEBHOOK_JOB = 'vulnerabilities.deliver-webhook';

/**
 * Which participants of the case hear of it, always among those the case is shared with and that are
 * an organisation (an organisation not on the case, or not yet shared with, is never a recipient):
 * - `all`: every one (but the participant who wrote, when `except`);
 * - `participants`: these participants only;
 * - `organisation`: that vendor, and the partner coordinators who read every vendor's rows.
 */
export type WebhookAudience = { all: true; except?: string | null } | { participants: readonly string[] } | { organisation: string; withCoordinators: boolean };

export interface CaseWebhookEvent {
  type: WebhookEventType;
  caseId: string;
  audience: WebhookAudience;
  /** The API path of what changed, below /api/v1 (default: the case itself). */
  resource?: string;
}

/** What a receiver gets: what happened and where to GET it; nothing it could not read itself. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType | 'ping';
  caseId: string | null;
  reference: string | null;
  modified: string;
  url: string;
}

export interface WebhookEmitter {
  /** Before a transaction that emits: on PGlite the queue must be started before the transaction takes the connection. */
  prepare(): Promise<void>;
  /** Writes the deliveries of an event (one per active endpoint that wants it) and enqueues their jobs, inside `trx`. */
  emit(trx: Kysely<Schema>, event: CaseWebhookEvent): Promise<number>;
}

/** The organisations an event reaches, read inside the changing transaction (so a share made in it counts). */
async function recipientOrganisations(trx: Kysely<Schema>, caseId: string, audience: WebhookAudience): Promise<string[]> {
  const shared = await trx
    .selectFrom('case_participants')
    .select(['id', 'organisation_id', 'role'])
    .where('case_id', '=', caseId)
    .where('shared_at', 'is not', null)
    .where('organisation_id', 'is not', null)
    .execute();
  const chosen =
    'all' in audience
      ? shared.filter((p) => p.id !== audience.except)
      : 'participants' in audience
        ? shared.filter((p) => audience.participants.includes(p.id))
        : shared.filter((p) => p.organisation_id === audience.organisation || (audience.withCoordinators && p.role === 'coordinator'));
  return [...new Set(chosen.map((p) => p.organisation_id!))];
}

/**
 * The outbox of webhooks: each event of a case becomes one delivery row per endpoint that wants it,
 * written and enqueued in the transaction of the change (committed with it, or not at all).
 * @example await webhooks.prepare(); await db.transaction().execute(async (trx) => { ...; await webhooks.emit(trx, { type: 'case.shared', caseId, audience: { participants: [id] } }); });
 */
export function createWebhookEmitter(deps: { jobs: Pick<JobQueue, 'enqueue' | 'start'>; publicUrl: string; now: () => Date }): WebhookEmitter {
  const base = deps.publicUrl.replace(/\/+$/, '');
  return {
    prepare: () => deps.jobs.start(),
    async emit(trx, event) {
      const organisations = await recipientOrganisations(trx, event.caseId, event.audience);
      if (organisations.length === 0) return 0;
      const endpoints = await trx
        .selectFrom('webhook_endpoints')
        .select('id')
        .where('organisation_id', 'in', organisations)
        .where('active', '=', true)
        .where(sql<boolean>`${event.type} = ANY(events)`)
        .execute();
      if (endpoints.length === 0) return 0;
      const theCase = await trx.selectFrom('vulnerability_cases').select(['reference']).where('id', '=', event.caseId).executeTakeFirstOrThrow();
      const resource = event.resource ?? `/cases/${event.caseId}`;
      for (const endpoint of endpoints) {
        const id = randomUUID();
        const payload: WebhookPayload = {
          id,
          type: event.type,
          caseId: event.caseId,
          reference: theCase.reference,
          modified: deps.now().toISOString(),
          url: `${base}/api/v1${resource}`,
        };
        await insertDelivery(trx, { id, endpointId: endpoint.id, type: event.type, caseId: event.caseId, payload });
        await deps.jobs.enqueue(DELIVER_WEBHOOK_JOB, { deliveryId: id }, { trx, idempotencyKey: id });
      }
      return endpoints.length;
    },
  };
}

export async function insertDelivery(
  trx: Kysely<Schema>,
  delivery: { id: string; endpointId: string; type: string; caseId: string | null; payload: WebhookPayload },
): Promise<void> {
  await trx
    .insertInto('webhook_deliveries')
    .values({
      id: delivery.id,
      endpoint_id: delivery.endpointId,
      event_type: delivery.type,
      case_id: delivery.caseId,
      payload: JSON.stringify(delivery.payload),
    })
    .execute();
}
