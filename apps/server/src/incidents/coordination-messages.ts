import type { Transaction } from 'kysely';
import { type TlpLevel, mayReceive, tlpLabel } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { type CoordinationCore, loadCoordination, partyOf, transitionIn } from './coordination-state.ts';
import { coordinationOfThread, inboundRecorded, lockCoordination, lockCoordinationState, updateCoordinationRow } from './coordinations.repository.ts';
import { who } from './incident-links.ts';
import { type CoordinationModel, appendEvent, findIncident } from './incidents.repository.ts';

// The mail of a coordination: messages to the party (outbox, in its thread) and the party's replies.

export interface CoordinationMessage {
  subject: string;
  text: string;
  tlp?: TlpLevel | undefined;
  to?: string | undefined;
}

/** Refuses a message above the party's TLP ceiling (a directory organisation only). */
async function checkCeiling(core: CoordinationCore, coordination: CoordinationModel, tlp: TlpLevel): Promise<void> {
  if (!coordination.organisationId) return;
  const party = await partyOf(core.contacts, coordination.organisationId);
  if (!mayReceive(tlp, party.tlpCeiling))
    throw new ConflictError('tlp_above_ceiling', `${party.name} may receive at most ${tlpLabel(party.tlpCeiling)}; this message is ${tlpLabel(tlp)}`);
}

/**
 * Sends a message to the party in the coordination's thread: the outbox row (and its delivery job), the
 * timeline event, the caller's `also` and the state change commit together.
 */
export async function sendMessage(
  core: CoordinationCore,
  ctx: RequestContext,
  id: string,
  input: CoordinationMessage,
  kind = 'message_out',
  /** More of the caller's change, committed with the message (a reminder's count). */
  also?: (trx: Transaction<Schema>) => Promise<void>,
): Promise<CoordinationModel> {
  const { db, mail, now } = core;
  const coordination = await loadCoordination(db, id);
  if (coordination.state === 'closed') throw new ConflictError('coordination_closed', 'This coordination is closed');
  const incident = await findIncident(db, coordination.incidentId);
  if (!incident) throw new NotFoundError('incident_not_found', 'No such incident');
  const to = input.to ?? coordination.contactEmail;
  if (!to) throw new BadRequestError('no_address', 'The party has no e-mail address; add one to the coordination or the directory');
  const tlp = input.tlp ?? incident.tlp;
  await checkCeiling(core, coordination, tlp);
  const thread = await mail.ensureThread(coordination.threadKey, input.subject);
  const prepared = await mail.prepareSend(ctx, {
    to,
    subject: `[${coordination.threadKey}] ${input.subject}`,
    text: input.text,
    tlp: tlpLabel(tlp),
    threadId: thread.id,
  });
  return db.transaction().execute(async (trx) => {
    const state = await lockCoordinationState(trx, id);
    if (!state) throw new NotFoundError('coordination_not_found', 'No such coordination');
    if (state === 'closed') throw new ConflictError('coordination_closed', 'This coordination is closed');
    const message = await mail.queue(trx, ctx, prepared);
    await updateCoordinationRow(trx, id, { mail_thread_id: thread.id, updated_at: now() });
    await appendEvent(trx, coordination.incidentId, who(ctx), kind, {
      coordinationId: id,
      threadKey: coordination.threadKey,
      mailMessageId: message.id,
      to,
      subject: message.subject,
      tlp,
    });
    if (also) await also(trx);
    if (state === 'drafted' || state === 'no_response') return transitionIn(core, trx, ctx, id, 'sent');
    // A further message to a party still silent restarts its reminder clock.
    if (state === 'sent') await updateCoordinationRow(trx, id, { next_reminder_at: new Date(now().getTime() + core.reminderMs) });
    return loadCoordination(trx, id);
  });
}

/**
 * Records a party's reply (a message in a coordination's thread) on the timeline and acknowledges a
 * sent or silent party, in one transaction; a second run for the same message finds its event and does
 * nothing. Returns false when the thread is no coordination's.
 */
export async function recordInbound(
  core: CoordinationCore,
  message: { id: string; threadId: string; subject: string; fromAddress: string | null; receivedAt: Date },
): Promise<boolean> {
  const row = await coordinationOfThread(core.db, message.threadId);
  if (!row) return false;
  const ctx = systemContext('mail');
  await core.db.transaction().execute(async (trx) => {
    await lockCoordination(trx, row.id);
    if (await inboundRecorded(trx, row.incidentId, message.id)) return;
    await appendEvent(trx, row.incidentId, who(ctx), 'message_in', {
      coordinationId: row.id,
      threadKey: row.threadKey,
      mailMessageId: message.id,
      from: message.fromAddress,
      subject: message.subject.slice(0, 500),
    });
    const current = await loadCoordination(trx, row.id);
    if (current.state === 'sent' || current.state === 'no_response') await transitionIn(core, trx, ctx, row.id, 'acknowledged', 'The party answered by mail');
  });
  return true;
}
