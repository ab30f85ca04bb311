import { type Insertable, type Kysely, type Transaction, type Updateable, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { CoordinationsTable } from '../db/schema/incidents.ts';
import { type Scope, scopeWhere } from '../policy/scope.ts';
import { type CoordinationModel, coordinationRowToModel } from './incidents.repository.ts';

// The coordinations' SQL: rows, their state, their threads and the reminder clock.

export async function findCoordination(db: Kysely<Schema>, id: string): Promise<CoordinationModel | undefined> {
  const row = await db.selectFrom('coordinations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? coordinationRowToModel(row) : undefined;
}

/** The next thread key of an incident (`INC-…-C3`), with the incident row locked so numbering is serial. */
export async function nextThreadKey(trx: Transaction<Schema>, incident: { id: string; reference: string }): Promise<{ incidentId: string; threadKey: string }> {
  const locked = await trx.selectFrom('incidents').select('id').where('id', '=', incident.id).forUpdate().executeTakeFirstOrThrow();
  const { n } = await trx
    .selectFrom('coordinations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('thread_key', 'like', `${incident.reference}-C%`)
    .executeTakeFirstOrThrow();
  return { incidentId: locked.id, threadKey: `${incident.reference}-C${Number(n) + 1}` };
}

export async function insertCoordination(trx: Transaction<Schema>, values: Insertable<CoordinationsTable>): Promise<CoordinationModel> {
  return coordinationRowToModel(await trx.insertInto('coordinations').values(values).returningAll().executeTakeFirstOrThrow());
}

export async function updateCoordinationRow(trx: Kysely<Schema>, id: string, set: Updateable<CoordinationsTable>): Promise<CoordinationModel> {
  return coordinationRowToModel(await trx.updateTable('coordinations').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
}

/** A coordination's state, its row locked for the caller's transaction; undefined = no such coordination. */
export async function lockCoordinationState(trx: Transaction<Schema>, id: string): Promise<CoordinationModel['state'] | undefined> {
  const row = await trx.selectFrom('coordinations').select('state').where('id', '=', id).forUpdate().executeTakeFirst();
  return row?.state;
}

export async function lockCoordination(trx: Transaction<Schema>, id: string): Promise<void> {
  await trx.selectFrom('coordinations').select('id').where('id', '=', id).forUpdate().execute();
}

export async function coordinationsOfIncident(db: Kysely<Schema>, incidentId: string, scope: Scope): Promise<CoordinationModel[]> {
  const rows = await db
    .selectFrom('coordinations')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
    .orderBy('created_at')
    .orderBy('thread_key')
    .execute();
  return rows.map(coordinationRowToModel);
}

/** Sent or silent coordinations, overdue reminders first. */
export async function waitingCoordinations(db: Kysely<Schema>, scope: Scope, limit: number): Promise<CoordinationModel[]> {
  const rows = await db
    .selectFrom('coordinations')
    .selectAll()
    .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
    .where('state', 'in', ['sent', 'no_response', 'acknowledged'])
    .orderBy('next_reminder_at')
    .orderBy('sent_at')
    .limit(limit)
    .execute();
  return rows.map(coordinationRowToModel);
}

/** Sent coordinations whose reminder is due, the most overdue first. */
export async function dueForReminder(db: Kysely<Schema>, at: Date, limit: number): Promise<CoordinationModel[]> {
  const rows = await db
    .selectFrom('coordinations')
    .selectAll()
    .where('next_reminder_at', '<=', at)
    .where('state', '=', 'sent')
    .orderBy('next_reminder_at')
    .limit(limit)
    .execute();
  return rows.map(coordinationRowToModel);
}

/** Counts one reminder and sets the next. */
export async function countReminder(executor: Kysely<Schema>, id: string, next: Date): Promise<void> {
  await executor
    .updateTable('coordinations')
    .set((eb) => ({ reminders_sent: eb('reminders_sent', '+', 1), next_reminder_at: next }))
    .where('id', '=', id)
    .execute();
}

export async function isEscalated(db: Kysely<Schema>, id: string): Promise<boolean> {
  return (await db.selectFrom('coordinations').select('id').where('escalated_from', '=', id).executeTakeFirst()) !== undefined;
}

export async function coordinationOfThread(db: Kysely<Schema>, mailThreadId: string): Promise<CoordinationModel | undefined> {
  const row = await db.selectFrom('coordinations').selectAll().where('mail_thread_id', '=', mailThreadId).executeTakeFirst();
  return row ? coordinationRowToModel(row) : undefined;
}

/** Whether an incident's timeline already has the inbound event of this mail message. */
export async function inboundRecorded(trx: Transaction<Schema>, incidentId: string, mailMessageId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('incident_events')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'message_in')
    .where(sql<boolean>`data->>'mailMessageId' = ${mailMessageId}`)
    .executeTakeFirst();
  return row !== undefined;
}
