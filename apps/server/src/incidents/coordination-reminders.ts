import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { sendMessage } from './coordination-messages.ts';
import { type CoordinationCore, createCoordinationIn, transition } from './coordination-state.ts';
import { countReminder, dueForReminder, isEscalated } from './coordinations.repository.ts';
import { who } from './incident-links.ts';
import { type CoordinationModel, appendEvent, observablesOf, reportIdsOf } from './incidents.repository.ts';

// Reminders to silent parties, and the escalation of a silent foreign host to its national CSIRT.

/** The observables of an incident's reports that a lookup answers for (IPs and domains, at most 50). */
export async function hostsOf(db: Kysely<Schema>, incidentId: string): Promise<string[]> {
  const hosts = (await observablesOf(db, await reportIdsOf(db, incidentId))).filter((o) => o.kind === 'ip' || o.kind === 'domain').slice(0, 50);
  return [...new Set(hosts.map((h) => h.value))];
}

/** The national CSIRT for a country, through the network lookup of the incident's hosts, or null. */
async function nationalCsirtFor(
  core: CoordinationCore,
  incidentId: string,
  country: string,
): Promise<{ id: string; name: string; email: string | null } | null> {
  const hosts = await hostsOf(core.db, incidentId);
  if (hosts.length === 0) return null;
  const answers = await core.network.lookup(systemContext('incidents'), hosts);
  for (const answer of answers) if (answer.nationalCsirt.value && answer.nationalCsirt.value.country === country) return answer.nationalCsirt.value;
  return null;
}

/** Reminds one silent party in its thread; the reminder is counted in the transaction that queues it. */
async function remind(core: CoordinationCore, ctx: RequestContext, row: CoordinationModel): Promise<void> {
  const subject = row.language === 'ja' ? '再送: 対応のお願い' : 'Reminder: request for action';
  const text =
    row.language === 'ja'
      ? `${row.threadKey} についてご連絡を差し上げましたが、まだお返事をいただいておりません。ご確認のうえ、対応状況をお知らせください。`
      : `We wrote to you about ${row.threadKey} and have not heard back. Please let us know what has been done.`;
  const counted = (executor: Kysely<Schema>) => countReminder(executor, row.id, new Date(core.now().getTime() + core.reminderMs));
  try {
    // The reminder is counted in the transaction that queues it, so a crash never sends it twice.
    await sendMessage(core, ctx, row.id, { subject, text }, 'reminder', counted);
  } catch (error) {
    await appendEvent(core.db, row.incidentId, who(ctx), 'reminder_failed', {
      coordinationId: row.id,
      threadKey: row.threadKey,
      error: (error as Error).message.slice(0, 300),
    });
    await counted(core.db);
  }
}

/** A silent foreign party: a coordination with its country's national CSIRT is drafted. Answers whether it was. */
async function escalate(core: CoordinationCore, ctx: RequestContext, row: CoordinationModel & { country: string }): Promise<boolean> {
  if (await isEscalated(core.db, row.id)) return false;
  const csirt = await nationalCsirtFor(core, row.incidentId, row.country);
  if (!csirt) {
    await appendEvent(core.db, row.incidentId, who(ctx), 'escalation_impossible', {
      coordinationId: row.id,
      country: row.country,
      reason: 'The directory has no national CSIRT for this country',
    });
    return false;
  }
  const created = await createCoordinationIn(core, ctx, row.incidentId, {
    organisationId: csirt.id,
    role: 'foreign_csirt',
    country: row.country,
    escalatedFrom: row.id,
    notes: `Escalated: ${row.contactName ?? row.contactEmail ?? 'the party'} did not answer`,
  });
  await appendEvent(core.db, row.incidentId, who(ctx), 'escalated', {
    from: row.threadKey,
    to: created.threadKey,
    nationalCsirt: csirt.name,
    country: row.country,
  });
  return true;
}

/**
 * The reminder job: each party silent past `next_reminder_at` is reminded in its thread; after
 * `maxReminders` it is marked no_response and, when it is abroad, a coordination with that country's
 * national CSIRT is drafted (the international flow: the ISP first, then the national CSIRT).
 */
export async function runReminders(core: CoordinationCore, limit = 200): Promise<{ reminded: number; silent: number; escalated: number }> {
  const ctx = systemContext('incidents.remind-coordinations');
  const due = await dueForReminder(core.db, core.now(), limit);
  let reminded = 0;
  let silent = 0;
  let escalated = 0;
  for (const row of due) {
    if (row.remindersSent < core.maxReminders) {
      await remind(core, ctx, row);
      reminded++;
      continue;
    }
    await transition(core, ctx, row.id, 'no_response', `No answer after ${row.remindersSent} reminders`);
    silent++;
    const country = row.country;
    const foreign = country && country !== core.homeCountry && row.role !== 'foreign_csirt';
    if (!foreign) continue;
    if (await escalate(core, ctx, { ...row, country })) escalated++;
  }
  return { reminded, silent, escalated };
}
