import type { Kysely } from 'kysely';
import type { WebhookEventType } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';

/** An endpoint as the service uses it (the secret stays in the repository's rows for signing only). */
export interface EndpointRecord {
  id: string;
  organisationId: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  active: boolean;
  createdAt: Date;
  secretRotatedAt: Date | null;
}

function endpointRowToRecord(row: {
  id: string;
  organisation_id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  created_at: Date;
  secret_rotated_at: Date | null;
}): EndpointRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    url: row.url,
    description: row.description,
    events: row.events as WebhookEventType[],
    active: row.active,
    createdAt: row.created_at,
    secretRotatedAt: row.secret_rotated_at,
  };
}

const ENDPOINT_COLUMNS = ['id', 'organisation_id', 'url', 'description', 'events', 'active', 'created_at', 'secret_rotated_at'] as const;

/** Endpoints of these organisations (null: every organisation's), newest first. */
export async function listEndpoints(db: Kysely<Schema>, organisationIds: readonly string[] | null): Promise<EndpointRecord[]> {
  if (organisationIds !== null && organisationIds.length === 0) return [];
  let query = db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).orderBy('created_at', 'desc').orderBy('id').limit(500);
  if (organisationIds !== null) query = query.where('organisation_id', 'in', organisationIds);
  return (await query.execute()).map(endpointRowToRecord);
}

export async function findEndpoint(db: Kysely<Schema>, id: string): Promise<EndpointRecord | undefined> {
  const row = await db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? endpointRowToRecord(row) : undefined;
}

export async function insertEndpoint(
  db: Kysely<Schema>,
  input: { organisationId: string; url: string; description: string; events: readonly string[]; secret: string; createdBy: string | null },
): Promise<EndpointRecord> {
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      organisation_id: input.organisationId,
      url: input.url,
      description: input.description,
      events: [...input.events],
      secret: input.secret,
      created_by: input.createdBy,
    })
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirstOrThrow();
  return endpointRowToRecord(row);
}

export async function updateEndpoint(
  db: Kysely<Schema>,
  id: string,
  changes: { active?: boolean | undefined; events?: readonly string[] | undefined; description?: string | undefined; secret?: string; secretRotatedAt?: Date },
): Promise<EndpointRecord> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.events !== undefined ? { events: [...changes.events] } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.secret !== undefined ? { secret: changes.secret, secret_rotated_at: changes.secretRotatedAt ?? null } : {}),
    })
    .where('id', '=', id)
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirstOrThrow();
  return endpointRowToRecord(row);
}

/** A delivery with what its job needs: the endpoint's URL, secret and state. */
export async function deliveryForSending(db: Kysely<Schema>, id: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.id', 'd.payload', 'd.state', 'd.attempts', 'd.event_type', 'e.url', 'e.secret', 'e.active'])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

/** Records one attempt and the delivery's state after it, in one transaction. */
export async function recordAttempt(
  db: Kysely<Schema>,
  input: {
    deliveryId: string;
    attempt: number;
    at: Date;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    state: 'pending' | 'delivered' | 'failed';
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_delivery_attempts')
      .values({
        delivery_id: input.deliveryId,
        attempt: input.attempt,
        at: input.at,
        status_code: input.statusCode,
        error: input.error,
        duration_ms: input.durationMs,
      })
      .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
      .execute();
    await trx
      .updateTable('webhook_deliveries')
      .set({ attempts: input.attempt, state: input.state, finished_at: input.state === 'pending' ? null : input.at })
      .where('id', '=', input.deliveryId)
      .execute();
  });
}

/** The endpoint's latest deliveries with every attempt. */
export async function recentDeliveries(db: Kysely<Schema>, endpointId: string, limit: number) {
  const deliveries = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'event_type', 'case_id', 'state', 'created_at', 'finished_at'])
    .where('endpoint_id', '=', endpointId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  const attempts =
    deliveries.length === 0
      ? []
      : await db
          .selectFrom('webhook_delivery_attempts')
          .selectAll()
          .where(
            'delivery_id',
            'in',
            deliveries.map((d) => d.id),
          )
          .orderBy('attempt')
          .execute();
  return deliveries.map((d) => ({ ...d, attempts: attempts.filter((a) => a.delivery_id === d.id) }));
}
