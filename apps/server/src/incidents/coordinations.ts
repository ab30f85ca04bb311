import type { Kysely } from 'kysely';
import type { CoordinationState, CreateCoordinationRequest, LookupAnswer, UpdateCoordinationRequest } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { ContactsService, NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import type { MailService } from '../mail/index.ts';
import type { RequestContext } from '../policy/actor.ts';
import { type CoordinationMessage, recordInbound, sendMessage } from './coordination-messages.ts';
import { hostsOf, runReminders } from './coordination-reminders.ts';
import { type CoordinationCore, createCoordinationIn, loadCoordination, transition } from './coordination-state.ts';
import { coordinationsOfIncident, updateCoordinationRow, waitingCoordinations } from './coordinations.repository.ts';
import { who } from './incident-links.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import { type CoordinationModel, appendEvent } from './incidents.repository.ts';

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

/** Who a lookup answer says can act: the ISP (abuse contact), and for a foreign host its national CSIRT. */
function partiesOf(answer: LookupAnswer, homeCountry: string): PartySuggestion[] {
  if (answer.kind === 'invalid') return [];
  const out: PartySuggestion[] = [];
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
  return out;
}

/**
 * Coordinations: one per party asked to act, with its state machine (coordination-state.ts), mail thread
 * (key in the subject; coordination-messages.ts), reminders while the party is silent and escalation of a
 * silent foreign host to its national CSIRT (coordination-reminders.ts). This facade checks the policy.
 * @example const c = await coordinations.createCoordination(ctx, incidentId, { organisationId, role: 'isp' });
 */
export function createCoordinations(
  deps: { db: Kysely<Schema>; mail: MailService; contacts: ContactsService; network: NetworkLookupService },
  options: CoordinationOptions = {},
) {
  const core: CoordinationCore = {
    ...deps,
    now: options.now ?? (() => new Date()),
    reminderMs: (options.reminderDays ?? 3) * 86_400_000,
    maxReminders: options.maxReminders ?? 2,
    homeCountry: options.homeCountry ?? 'JP',
  };
  const { db } = core;
  return {
    async createCoordination(ctx: RequestContext, incidentId: string, input: CreateCoordinationRequest): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return createCoordinationIn(core, ctx, incidentId, input);
    },

    async listCoordinations(ctx: RequestContext, incidentId: string): Promise<CoordinationModel[]> {
      // The coordinations of one incident: a hidden incident answers as a missing one.
      const scope = incidentsPolicy.detailScope(ctx.actor, 'coordinations.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      return coordinationsOfIncident(db, incidentId, scope);
    },

    async getCoordination(ctx: RequestContext, id: string): Promise<CoordinationModel> {
      incidentsPolicy.detailScope(ctx.actor, 'coordinations.read', () => new NotFoundError('coordination_not_found', 'No such coordination'));
      return loadCoordination(db, id);
    },

    /** Parties waiting on: sent or silent coordinations, overdue reminders first. */
    async waitingOnThirdParty(ctx: RequestContext, limit = 100): Promise<CoordinationModel[]> {
      return waitingCoordinations(db, incidentsPolicy.listScope(ctx.actor, 'coordinations.read'), limit);
    },

    async updateCoordination(ctx: RequestContext, id: string, changes: UpdateCoordinationRequest): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return db.transaction().execute(async (trx) => {
        const before = await loadCoordination(trx, id);
        const set = {
          ...(changes.contactName !== undefined ? { contact_name: changes.contactName } : {}),
          ...(changes.contactEmail !== undefined ? { contact_email: changes.contactEmail?.toLowerCase() ?? null } : {}),
          ...(changes.notes !== undefined ? { notes: changes.notes } : {}),
          ...(changes.nextReminderAt !== undefined ? { next_reminder_at: changes.nextReminderAt === null ? null : new Date(changes.nextReminderAt) } : {}),
        };
        if (set.contact_email === null && !before.organisationId) throw new BadRequestError('party_required', 'A free contact needs an e-mail address');
        const after = await updateCoordinationRow(trx, id, { ...set, updated_at: core.now() });
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
      return transition(core, ctx, id, state, note);
    },

    /** Sends a message to the party through the mail service (signed, encrypted when it has a key), in the coordination's thread. */
    async sendCoordinationMessage(ctx: RequestContext, id: string, input: CoordinationMessage): Promise<CoordinationModel> {
      incidentsPolicy.authorize(ctx.actor, 'coordinations.write');
      return sendMessage(core, ctx, id, input);
    },

    /** Who the lookup says can act on the incident's hosts: the ISP (abuse contact), and for a foreign host its national CSIRT. */
    async suggestParties(ctx: RequestContext, incidentId: string): Promise<PartySuggestion[]> {
      incidentsPolicy.detailScope(ctx.actor, 'coordinations.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      const hosts = await hostsOf(db, incidentId);
      if (hosts.length === 0) return [];
      const answers = await core.network.lookup(ctx, hosts);
      return answers.flatMap((answer) => partiesOf(answer, core.homeCountry));
    },

    /** The reminder job (coordination-reminders.ts). */
    async runReminders(limit = 200): Promise<{ reminded: number; silent: number; escalated: number }> {
      return runReminders(core, limit);
    },

    /** A party's reply in a coordination's thread (coordination-messages.ts); false when the thread is no coordination's. */
    async recordInbound(message: { id: string; threadId: string; subject: string; fromAddress: string | null; receivedAt: Date }): Promise<boolean> {
      return recordInbound(core, message);
    },
  };
}
