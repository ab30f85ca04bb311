import { sql } from 'kysely';
import type { CasesDeps } from './case-access.ts';
import { appendCaseEvent } from './cases.repository.ts';

/** Mails again, after a while, each vendor that was notified and has not answered. */
export const REMIND_VENDORS_JOB = 'vulnerabilities.remind-vendors';

export interface ReminderOptions {
  /** Days of silence before each reminder (after the case was shared, then after each reminder). */
  reminderDays: number;
  /** Reminders before the team must decide (call, post, declare unreachable). */
  maxReminders: number;
}

interface SilentVendor {
  participant_id: string;
  case_id: string;
  organisation_id: string;
  reminders: number;
  last_contact: Date;
}

/**
 * Reminders to silent vendors: a vendor shared on an open case whose every status row is still "notified,
 * no answer" is reminded after `reminderDays`, at most `maxReminders` times. Each reminder is a contact
 * attempt on the record (what "unreachable" is later declared on), a timeline event and a notice job, in
 * one transaction.
 */
export function createVendorReminders(deps: CasesDeps, options: ReminderOptions) {
  const { db, now } = deps;
  return {
    async remindSilentVendors(): Promise<{ reminded: number }> {
      const silent = await sql<SilentVendor>`
        SELECT p.id AS participant_id, p.case_id, p.organisation_id,
               (SELECT count(*)::int FROM case_events e
                 WHERE e.case_id = p.case_id AND e.kind = 'vendor_reminded' AND e.organisation_id = p.organisation_id) AS reminders,
               GREATEST(p.shared_at, (SELECT max(e.at) FROM case_events e
                 WHERE e.case_id = p.case_id AND e.kind = 'vendor_reminded' AND e.organisation_id = p.organisation_id)) AS last_contact
        FROM case_participants p
        JOIN vulnerability_cases c ON c.id = p.case_id
        WHERE p.role = 'vendor' AND p.shared_at IS NOT NULL AND p.unreachable_at IS NULL
          AND c.status IN ('verifying', 'coordinating', 'scheduled')
          AND EXISTS (SELECT 1 FROM vendor_statuses s WHERE s.case_id = p.case_id AND s.organisation_id = p.organisation_id)
          AND NOT EXISTS (SELECT 1 FROM vendor_statuses s
                          WHERE s.case_id = p.case_id AND s.organisation_id = p.organisation_id AND s.status <> 'notified_no_answer')`.execute(db);
      const due = now().getTime() - options.reminderDays * 86_400_000;
      const toRemind = silent.rows.filter((v) => v.reminders < options.maxReminders && new Date(v.last_contact).getTime() <= due);
      if (toRemind.length > 0) await deps.jobs.start();
      for (const vendor of toRemind) {
        const round = vendor.reminders + 1;
        const at = now();
        await db.transaction().execute(async (trx) => {
          await appendCaseEvent(trx, {
            caseId: vendor.case_id,
            kind: 'vendor_reminded',
            detail: { round },
            organisationId: vendor.organisation_id,
            actorId: null,
            at,
          });
          await trx
            .insertInto('case_contact_attempts')
            .values({
              case_id: vendor.case_id,
              organisation_id: vendor.organisation_id,
              channel: 'mail',
              outcome: 'sent',
              note: `reminder ${round}`,
              attempted_at: at,
            })
            .execute();
          await deps.jobs.enqueue(
            'vulnerabilities.notify-participants',
            { caseId: vendor.case_id, participantId: vendor.participant_id, reminder: round },
            { trx, idempotencyKey: `reminder:${vendor.participant_id}:${round}` },
          );
        });
      }
      return { reminded: toRemind.length };
    },
  };
}
