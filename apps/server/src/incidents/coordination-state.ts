import type { Kysely, Transaction } from 'kysely';
import { COORDINATION_TRANSITIONS, type CoordinationState, type CreateCoordinationRequest } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { ContactsService, NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { MailService } from '../mail/index.ts';
import { type RequestContext, actorId, systemContext } from '../policy/actor.ts';
import { findCoordination, insertCoordination, nextThreadKey, updateCoordinationRow } from './coordinations.repository.ts';
import { who } from './incident-links.ts';
import { type CoordinationModel, appendEvent, findIncident } from './incidents.repository.ts';

// The coordination state machine and the steps the coordination capabilities share.

/** What every coordination capability works with: its dependencies and settings. */
export interface CoordinationCore {
  db: Kysely<Schema>;
  mail: MailService;
  contacts: ContactsService;
  network: NetworkLookupService;
  now: () => Date;
  /** Silence after a message before the party is reminded (ms). */
  reminderMs: number;
  maxReminders: number;
  homeCountry: string;
}

export async function loadCoordination(executor: Kysely<Schema>, id: string): Promise<CoordinationModel> {
  const coordination = await findCoordination(executor, id);
  if (!coordination) throw new NotFoundError('coordination_not_found', 'No such coordination');
  return coordination;
}

/** A directory organisation as a party: its name, address, language, country and TLP ceiling. */
export async function partyOf(contacts: ContactsService, organisationId: string) {
  const detail = await contacts.getOrganisation(systemContext('incidents'), organisationId);
  const role = detail.people.find((p) => p.isRoleAddress && p.email) ?? detail.people.find((p) => p.email);
  return {
    name: detail.organisation.name,
    email: detail.organisation.contactEmail ?? role?.email ?? null,
    language: detail.organisation.languages.includes('ja') ? ('ja' as const) : ('en' as const),
    country: detail.organisation.country,
    tlpCeiling: detail.organisation.tlpCeiling,
  };
}

/** A new coordination (drafted) with the next thread key of its incident, its timeline event and audit. */
export async function createCoordinationIn(
  core: CoordinationCore,
  ctx: RequestContext,
  incidentId: string,
  input: CreateCoordinationRequest & { escalatedFrom?: string },
): Promise<CoordinationModel> {
  if (!input.organisationId && !input.contactEmail)
    throw new BadRequestError('party_required', 'Name a directory organisation or give a contact e-mail address');
  const party = input.organisationId ? await partyOf(core.contacts, input.organisationId) : null;
  return core.db.transaction().execute(async (trx) => {
    const incident = await findIncident(trx, incidentId);
    if (!incident) throw new NotFoundError('incident_not_found', 'No such incident');
    if (incident.status === 'merged') throw new ConflictError('incident_merged', 'This incident was merged into another; coordinate there');
    // Serialises numbering per incident: C1, C2, …
    const { incidentId: lockedId, threadKey } = await nextThreadKey(trx, incident);
    const model = await insertCoordination(trx, {
      incident_id: lockedId,
      thread_key: threadKey,
      organisation_id: input.organisationId ?? null,
      contact_name: input.contactName ?? party?.name ?? null,
      contact_email: input.contactEmail?.toLowerCase() ?? party?.email ?? null,
      role: input.role,
      country: input.country ?? party?.country ?? null,
      language: input.language ?? party?.language ?? 'en',
      notes: input.notes ?? null,
      escalated_from: input.escalatedFrom ?? null,
      created_by: actorId(ctx.actor),
      mail_thread_id: null,
      next_reminder_at: null,
      sent_at: null,
      acknowledged_at: null,
      acted_at: null,
      closed_at: null,
    });
    await appendEvent(trx, incidentId, who(ctx), 'coordination_created', {
      coordinationId: model.id,
      threadKey,
      role: model.role,
      party: model.contactName ?? model.contactEmail,
      escalatedFrom: model.escalatedFrom,
    });
    await recordAudit(trx, ctx, { action: 'coordination.create', targetType: 'coordination', targetId: model.id, after: model });
    return model;
  });
}

/** The columns a move to `state` sets beside the state itself. */
function stateColumns(core: CoordinationCore, before: CoordinationModel, state: CoordinationState, at: Date) {
  return {
    ...(state === 'sent' ? { sent_at: before.sentAt ?? at, next_reminder_at: new Date(at.getTime() + core.reminderMs) } : {}),
    ...(state === 'acknowledged' ? { acknowledged_at: at, next_reminder_at: null } : {}),
    ...(state === 'acted' ? { acted_at: at, next_reminder_at: null } : {}),
    ...(state === 'no_response' ? { next_reminder_at: null } : {}),
    ...(state === 'closed' ? { closed_at: at, next_reminder_at: null } : {}),
  };
}

/** A state change with its timeline event and audit entry, inside the caller's transaction. */
export async function transitionIn(
  core: CoordinationCore,
  trx: Transaction<Schema>,
  ctx: RequestContext,
  id: string,
  state: CoordinationState,
  note?: string,
): Promise<CoordinationModel> {
  const before = await loadCoordination(trx, id);
  if (before.state === state) return before;
  if (!COORDINATION_TRANSITIONS[before.state].includes(state))
    throw new ConflictError(
      'invalid_transition',
      `A coordination cannot go from ${before.state} to ${state}; allowed: ${COORDINATION_TRANSITIONS[before.state].join(', ') || 'none (final)'}`,
    );
  const at = core.now();
  const after = await updateCoordinationRow(trx, id, { state, updated_at: at, ...stateColumns(core, before, state, at) });
  await appendEvent(trx, before.incidentId, who(ctx), 'coordination_state', {
    coordinationId: id,
    threadKey: before.threadKey,
    from: before.state,
    to: state,
    ...(note ? { note } : {}),
  });
  await recordAudit(trx, ctx, {
    action: 'coordination.transition',
    targetType: 'coordination',
    targetId: id,
    before: { state: before.state },
    after: { state },
  });
  return after;
}

/** A state change in its own transaction. */
export async function transition(core: CoordinationCore, ctx: RequestContext, id: string, state: CoordinationState, note?: string): Promise<CoordinationModel> {
  return core.db.transaction().execute((trx) => transitionIn(core, trx, ctx, id, state, note));
}
