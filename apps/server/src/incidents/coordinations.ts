import { type Kysely, type Transaction, sql } from 'kysely';
import {
  COORDINATION_TRANSITIONS,
  type CoordinationState,
  type CreateCoordinationRequest,
  type TlpLevel,
  type UpdateCoordinationRequest,
  mayReceive,
  tlpLabel,
} from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { ContactsService, NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { MailService } from '../mail/index.ts';
import { type RequestContext, actorId, actorLabel, systemContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import { type CoordinationModel, appendEvent, coordinationRowToModel, findIncident, observablesOf, reportIdsOf } from './incidents.repository.ts';

export interface CoordinationOptions {
  /** Days of silence after a message before the party is reminded. */
  reminderDays?: number;
  /** Reminders sent before a silent party is marked no_response (and a foreign host escalated). */
  maxReminders?: number;
  /** The team's own country: a party elsewhere is foreign and escalates to its national CSIRT. */
  homeCountry?: string;
  now?: () => Date;
}

export interface PartySuggestion {
  role: 'isp' | 'registrar' | 'foreign_csirt';
  organisationId: string | null;
  name: string | null;
  email: string | null;
  country: string | null;
  /** The observable the lookup answered for. */
  for: string;
  source: string | null;
}

const who = (ctx: RequestContext) => ({ id: actorId(ctx.actor), label: actorLabel(ctx.actor) });

/**
 * Coordinations: one per party asked to act, with its state machine, mail thread (key in the subject),
 * reminders while the party is silent, and escalation of a silent foreign host to its national CSIRT.
 * @example const c = await coordinations.createCoordination(ctx, incidentId, { organisationId, role: 'isp' });
 */
export function createCoordinations(
  deps: { db: Kysely<Schema>; mail: MailService; contacts: ContactsService; network: NetworkLookupService },
  options: CoordinationOptions = {},
) {
  const { db, mail, contacts, network } = deps;
  const now = options.now ?? (() => new Date());
  const reminderMs = (options.reminderDays ?? 3) * 86_400_000;
  const maxReminders = options.maxReminders ?? 2;
  const homeCountry = options.homeCountry ?? 'JP';

  async function load(executor: Kysely<Schema>, id: string): Promise<CoordinationModel> {
    const row = await executor.selectFrom('coordinations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('coordination_not_found', 'No such coordination');
    return coordinationRowToModel(row);
  }

  async function partyOf(organisationId: string) {
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

  async function create(ctx: RequestContext, incidentId: string, input: CreateCoordinationRequest & { escalatedFrom?: string }): Promise<CoordinationModel> {
    if (!input.organisationId && !input.contactEmail)
      throw new BadRequestError('party_required', 'Name a directory organisation or give a contact e-mail address');
    const party = input.organisationId ? await partyOf(input.organisationId) : null;
    return db.transaction().execute(async (trx) => {
      const incident = await findIncident(trx, incidentId);
      if (!incident) throw new NotFoundError('incident_not_found', 'No such incident');
      if (incident.status === 'merged') throw new ConflictError('incident_merged', 'This incident was merged into another; coordinate there');
      // Serialises numbering per incident: C1, C2, …
      const locked = await trx.selectFrom('incidents').select('id').where('id', '=', incidentId).forUpdate().executeTakeFirstOrThrow();
      const { n } = await trx
        .selectFrom('coordinations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('thread_key', 'like', `${incident.reference}-C%`)
        .executeTakeFirstOrThrow();
      const threadKey = `${incident.reference}-C${Number(n) + 1}`;
      const row = await trx
        .insertInto('coordinations')
        .values({
          incident_id: locked.id,
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
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const model = coordinationRowToModel(row);
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

  async function transition(ctx: RequestContext, id: string, state: CoordinationState, note?: string): Promise<CoordinationModel> {
    return db.transaction().execute((trx) => transitionIn(trx, ctx, id, state, note));
  }

  /** A state change with its timeline event and audit entry, inside the caller's transaction. */
  async function transitionIn(trx: Transaction<Schema>, ctx: RequestContext, id: string, state: CoordinationState, note?: string): Promise<CoordinationModel> {
    const before = await load(trx, id);
    if (before.state === state) return before;
    if (!COORDINATION_TRANSITIONS[before.state].includes(state))
      throw new ConflictError(
        'invalid_transition',
        `A coordination cannot go from ${before.state} to ${state}; allowed: ${COORDINATION_TRANSITIONS[before.state].join(', ') || 'none (final)'}`,
      );
    const at = now();
    const row = await trx
      .updateTable('coordinations')
      .set({
        state,
        updated_at: at,
        ...(state === 'sent' ? { sent_at: before.sentAt ?? at, next_reminder_at: new Date(at.getTime() + reminderMs) } : {}),
        ...(state === 'acknowledged' ? { acknowledged_at: at, next_reminder_at: null } : {}),
        ...(state === 'acted' ? { acted_at: at, next_reminder_at: null } : {}),
        ...(state === 'no_response' ? { next_reminder_at: null } : {}),
        ...(state === 'closed' ? { closed_at: at, next_reminder_at: null } : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = coordinationRowToModel(row);
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

  async function sendMessage(
    ctx: RequestContext,
    id: string,
    input: { subject: string; text: string; tlp?: TlpLevel | undefined; to?: string | undefined },
    kind = 'message_out',
    /** More of the caller's change, committed with the message (a reminder's count). */
    also?: (trx: Transaction<Schema>) => Promise<void>,
  ): Promise<CoordinationModel> {
    const coordination = await load(db, id);
    if (coordination.state === 'closed') throw new ConflictError('coordination_closed', 'This coordination is closed');
    const incident = await findIncident(db, coordination.incidentId);
    if (!incident) throw new NotFoundError('incident_not_found', 'No such incident');
    const to = input.to ?? coordination.contactEmail;
    if (!to) throw new BadRequestError('no_address', 'The party has no e-mail address; add one to the coordination or the directory');
    const tlp = input.tlp ?? incident.tlp;
    if (coordination.organisationId) {
      const party = await partyOf(coordination.organisationId);
      if (!mayReceive(tlp, party.tlpCeiling))
        throw new ConflictError('tlp_above_ceiling', `${party.name} may receive at most ${tlpLabel(party.tlpCeiling)}; this message is ${tlpLabel(tlp)}`);
    }
    const thread = await mail.ensureThread(coordination.threadKey, input.subject);
    const prepared = await mail.prepareSend(ctx, {
      to,
      subject: `[${coordination.threadKey}] ${input.subject}`,
      text: input.text,
      tlp: tlpLabel(tlp),
      threadId: thread.id,
    });
    // The message (outbox row and its delivery job), its timeline event and the state change commit together.
    return db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('coordinations').select('state').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) throw new NotFoundError('coordination_not_found', 'No such coordination');
      if (current.state === 'closed') throw new ConflictError('coordination_closed', 'This coordination is closed');
      const message = await mail.queue(trx, ctx, prepared);
      await trx.updateTable('coordinations').set({ mail_thread_id: thread.id, updated_at: now() }).where('id', '=', id).execute();
      await appendEvent(trx, coordination.incidentId, who(ctx), kind, {
        coordinationId: id,
        threadKey: coordination.threadKey,
        mailMessageId: message.id,
        to,
        subject: message.subject,
        tlp,
      });
      if (also) await also(trx);
      if (current.state === 'drafted' || current.state === 'no_response') return transitionIn(trx, ctx, id, 'sent');
      // A further message to a party still silent restarts its reminder clock.
      if (current.state === 'sent')
        await trx
          .updateTable('coordinations')
          .set({ next_reminder_at: new Date(now().getTime() + reminderMs) })
          .where('id', '=', id)
          .execute();
      return load(trx, id);
    });
  }

  /** The national CSIRT for a country, through the network lookup of the incident's hosts, or null. */
  async function nationalCsirtFor(incidentId: string, country: string): Promise<{ id: string; name: string; email: string | null } | null> {
    const hosts = (await observablesOf(db, await reportIdsOf(db, incidentId))).filter((o) => o.kind === 'ip' || o.kind === 'domain').slice(0, 50);
    if (hosts.length === 0) return null;
    const answers = await network.lookup(systemContext('incidents'), [...new Set(hosts.map((h) => h.value))]);
    for (const answer of answers) if (answer.nationalCsirt.value && answer.nationalCsirt.value.country === country) return answer.nationalCsirt.value;
    return null;
  }

  return {
    async createCoordination(ctx: RequestContext, incidentId: string, input: CreateCoordinationRequest): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return create(ctx, incidentId, input);
    },

    async listCoordinations(ctx: RequestContext, incidentId: string): Promise<CoordinationModel[]> {
      // The coordinations of one incident: a hidden incident answers as a missing one.
      const scope = incidentsPolicy.detailScope(ctx.actor, 'coordinations.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      const rows = await db
        .selectFrom('coordinations')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
        .orderBy('created_at')
        .orderBy('thread_key')
        .execute();
      return rows.map(coordinationRowToModel);
    },

    async getCoordination(ctx: RequestContext, id: string): Promise<CoordinationModel> {
      incidentsPolicy.detailScope(ctx.actor, 'coordinations.read', () => new NotFoundError('coordination_not_found', 'No such coordination'));
      return load(db, id);
    },

    /** Parties waiting on: sent or silent coordinations, overdue reminders first. */
    async waitingOnThirdParty(ctx: RequestContext, limit = 100): Promise<CoordinationModel[]> {
      const scope = incidentsPolicy.listScope(ctx.actor, 'coordinations.read');
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
    },

    async updateCoordination(ctx: RequestContext, id: string, changes: UpdateCoordinationRequest): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return db.transaction().execute(async (trx) => {
        const before = await load(trx, id);
        const set = {
          ...(changes.contactName !== undefined ? { contact_name: changes.contactName } : {}),
          ...(changes.contactEmail !== undefined ? { contact_email: changes.contactEmail?.toLowerCase() ?? null } : {}),
          ...(changes.notes !== undefined ? { notes: changes.notes } : {}),
          ...(changes.nextReminderAt !== undefined ? { next_reminder_at: changes.nextReminderAt === null ? null : new Date(changes.nextReminderAt) } : {}),
        };
        if (set.contact_email === null && !before.organisationId) throw new BadRequestError('party_required', 'A free contact needs an e-mail address');
        const row = await trx
          .updateTable('coordinations')
          .set({ ...set, updated_at: now() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const after = coordinationRowToModel(row);
        await appendEvent(trx, before.incidentId, who(ctx), 'coordination_updated', {
          coordinationId: id,
          threadKey: before.threadKey,
          fields: Object.keys(changes),
        });
        await recordAudit(trx, ctx, { action: 'coordination.update', targetType: 'coordination', targetId: id, before, after });
        return after;
      });
    },

    async transitionCoordination(ctx: RequestContext, id: string, state: CoordinationState, note?: string): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return transition(ctx, id, state, note);
    },

    /** Sends a message to the party through the mail service (signed, encrypted when it has a key), in the coordination's thread. */
    async sendCoordinationMessage(
      ctx: RequestContext,
      id: string,
      input: { subject: string; text: string; tlp?: TlpLevel | undefined; to?: string | undefined },
    ): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return sendMessage(ctx, id, input);
    },

    /** Who the lookup says can act on the incident's hosts: the ISP (abuse contact), and for a foreign host its national CSIRT. */
    async suggestParties(ctx: RequestContext, incidentId: string): Promise<PartySuggestion[]> {
      incidentsPolicy.detailScope(ctx.actor, 'coordinations.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      const hosts = (await observablesOf(db, await reportIdsOf(db, incidentId))).filter((o) => o.kind === 'ip' || o.kind === 'domain').slice(0, 50);
      if (hosts.length === 0) return [];
      const answers = await network.lookup(ctx, [...new Set(hosts.map((h) => h.value))]);
      const out: PartySuggestion[] = [];
      for (const answer of answers) {
        if (answer.kind === 'invalid') continue;
        const country = answer.country.value;
        if (answer.organisation.value || answer.abuseContact.value) {
          out.push({
            role: 'isp',
            organisationId: answer.organisation.value?.id ?? null,
            name: answer.organisation.value?.name ?? answer.asName.value,
            email: answer.abuseContact.value,
            country,
            for: answer.normalized ?? answer.input,
            source: answer.abuseContact.source ?? answer.organisation.source,
          });
        }
        if (country && country !== homeCountry && answer.nationalCsirt.value) {
          out.push({
            role: 'foreign_csirt',
            organisationId: answer.nationalCsirt.value.id,
            name: answer.nationalCsirt.value.name,
            email: answer.nationalCsirt.value.email,
            country,
            for: answer.normalized ?? answer.input,
            source: answer.nationalCsirt.source,
          });
        }
      }
      return out;
    },

    /**
     * The reminder job: each party silent past `next_reminder_at` is reminded in its thread; after
     * `maxReminders` it is marked no_response and, when it is abroad, a coordination with that country's
     * national CSIRT is drafted (the international flow: the ISP first, then the national CSIRT).
     */
    async runReminders(limit = 200): Promise<{ reminded: number; silent: number; escalated: number }> {
      const ctx = systemContext('incidents.remind-coordinations');
      const due = await db
        .selectFrom('coordinations')
        .selectAll()
        .where('next_reminder_at', '<=', now())
        .where('state', '=', 'sent')
        .orderBy('next_reminder_at')
        .limit(limit)
        .execute();
      let reminded = 0;
      let silent = 0;
      let escalated = 0;
      for (const row of due.map(coordinationRowToModel)) {
        if (row.remindersSent < maxReminders) {
          const subject = row.language === 'ja' ? '再送: 対応のお願い' : 'Reminder: request for action';
          const text =
            row.language === 'ja'
              ? `${row.threadKey} についてご連絡を差し上げましたが、まだお返事をいただいておりません。ご確認のうえ、対応状況をお知らせください。`
              : `We wrote to you about ${row.threadKey} and have not heard back. Please let us know what has been done.`;
          const counted = (executor: Kysely<Schema>) =>
            executor
              .updateTable('coordinations')
              .set((eb) => ({ reminders_sent: eb('reminders_sent', '+', 1), next_reminder_at: new Date(now().getTime() + reminderMs) }))
              .where('id', '=', row.id)
              .execute()
              .then(() => undefined);
          try {
            // The reminder is counted in the transaction that queues it, so a crash never sends it twice.
            await sendMessage(ctx, row.id, { subject, text }, 'reminder', counted);
          } catch (error) {
            await appendEvent(db, row.incidentId, who(ctx), 'reminder_failed', {
              coordinationId: row.id,
              threadKey: row.threadKey,
              error: (error as Error).message.slice(0, 300),
            });
            await counted(db);
          }
          reminded++;
          continue;
        }
        await transition(ctx, row.id, 'no_response', `No answer after ${row.remindersSent} reminders`);
        silent++;
        const foreign = row.country && row.country !== homeCountry && row.role !== 'foreign_csirt';
        if (!foreign) continue;
        const already = await db.selectFrom('coordinations').select('id').where('escalated_from', '=', row.id).executeTakeFirst();
        if (already) continue;
        const csirt = await nationalCsirtFor(row.incidentId, row.country!);
        if (!csirt) {
          await appendEvent(db, row.incidentId, who(ctx), 'escalation_impossible', {
            coordinationId: row.id,
            country: row.country,
            reason: 'The directory has no national CSIRT for this country',
          });
          continue;
        }
        const created = await create(ctx, row.incidentId, {
          organisationId: csirt.id,
          role: 'foreign_csirt',
          country: row.country!,
          escalatedFrom: row.id,
          notes: `Escalated: ${row.contactName ?? row.contactEmail ?? 'the party'} did not answer`,
        });
        await appendEvent(db, row.incidentId, who(ctx), 'escalated', {
          from: row.threadKey,
          to: created.threadKey,
          nationalCsirt: csirt.name,
          country: row.country,
        });
        escalated++;
      }
      return { reminded, silent, escalated };
    },

    /**
     * A message arrived in a coordination's thread: on the timeline, and a silent party that answers is
     * acknowledged. Returns false when the thread is no coordination's.
     */
    /**
     * Records a party's reply (a message in a coordination's thread) on the timeline and acknowledges a
     * sent or silent party, in one transaction; a second run for the same message finds its event and does nothing.
     */
    async recordInbound(message: { id: string; threadId: string; subject: string; fromAddress: string | null; receivedAt: Date }): Promise<boolean> {
      const row = await db.selectFrom('coordinations').selectAll().where('mail_thread_id', '=', message.threadId).executeTakeFirst();
      if (!row) return false;
      const ctx = systemContext('mail');
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('coordinations').select('id').where('id', '=', row.id).forUpdate().execute();
        const seen = await trx
          .selectFrom('incident_events')
          .select('id')
          .where('incident_id', '=', row.incident_id)
          .where('kind', '=', 'message_in')
          .where(sql<boolean>`data->>'mailMessageId' = ${message.id}`)
          .executeTakeFirst();
        if (seen) return;
        await appendEvent(trx, row.incident_id, who(ctx), 'message_in', {
          coordinationId: row.id,
          threadKey: row.thread_key,
          mailMessageId: message.id,
          from: message.fromAddress,
          subject: message.subject.slice(0, 500),
        });
        const current = await load(trx, row.id);
        if (current.state === 'sent' || current.state === 'no_response') await transitionIn(trx, ctx, row.id, 'acknowledged', 'The party answered by mail');
      });
      return true;
    },
  };
}
