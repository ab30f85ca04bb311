import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type CaseViewer, type CasesDeps, createCaseAccess } from './case-access.ts';
import { appendCaseEvent, caseScope } from './cases.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

/** Tells participants there is news on a case (a message, or the case shared with them); enqueued with the change. */
export const NOTIFY_PARTICIPANTS_JOB = 'vulnerabilities.notify-participants';

export interface CaseMessageView {
  id: string;
  /** NULL: the case thread; set: the private thread with that participant. */
  privateTo: string | null;
  vulnerabilityId: string | null;
  productName: string;
  /** 'team', the author's organisation name, or 'participant' when the viewer may not know who. */
  author: string;
  mine: boolean;
  /** Written by someone else after the viewer last marked the case seen (or never did). */
  unread: boolean;
  body: string;
  createdAt: Date;
}

export interface NewCaseMessage {
  body: string;
  /** Team: a participant id for a private message to it. A participant: TRUE for a private message to the team. */
  privateTo?: string | undefined;
  private?: boolean | undefined;
  vulnerabilityId?: string | undefined;
  productName?: string | undefined;
}

/** Which messages of a case a viewer reads: the team all; a participant the case thread and its own private thread. */
function readable(viewer: CaseViewer) {
  if (viewer.kind === 'team') return sql<SqlBool>`TRUE`;
  const own = viewer.own.map((p) => p.id);
  return sql<SqlBool>`(m.private_to IS NULL OR m.private_to = ANY(${own}::uuid[]))`;
}

/**
 * Messages of a case: the case thread, threads per vulnerability or product, private threads between the
 * team and one participant, read state and "changed since my last visit". Each new message enqueues the
 * participants' notification in its transaction (the mail says only "there is news, log in" unless the
 * recipient's key lets it be encrypted).
 */
export function createCaseMessages(deps: CasesDeps) {
  const { db, now } = deps;
  const { open, recordChange } = createCaseAccess(deps);

  return {
    async listCaseMessages(ctx: RequestContext, caseId: string, options: { since?: Date | undefined } = {}): Promise<CaseMessageView[]> {
      const { viewer, rows } = await open(ctx, caseId);
      let query = db.selectFrom('case_messages as m').selectAll('m').where('m.case_id', '=', caseId).where(readable(viewer));
      if (options.since) query = query.where('m.created_at', '>', options.since);
      const messages = await query.orderBy('m.created_at').orderBy('m.id').limit(2_000).execute();
      const viewerId = actorId(ctx.actor);
      const read = viewerId
        ? await db.selectFrom('case_reads').select('seen_at').where('case_id', '=', caseId).where('user_id', '=', viewerId).executeTakeFirst()
        : undefined;
      const names = await deps.organisationsByIds(rows.participants.flatMap((p) => (p.organisation_id ? [p.organisation_id] : [])));
      const participants = new Map(rows.participants.map((p) => [p.id, p]));
      const ownIds = new Set(viewer.kind === 'participant' ? viewer.own.map((p) => p.id) : []);
      const seesNames = viewer.kind === 'team' || viewer.seesAllVendors;
      return messages.map((m) => {
        const author = m.author_participant ? participants.get(m.author_participant) : undefined;
        const authorName = !author
          ? 'team'
          : seesNames || ownIds.has(author.id)
            ? author.organisation_id
              ? (names.get(author.organisation_id)?.name ?? author.role)
              : author.role
            : 'participant';
        const mine = m.author_id !== null && m.author_id === viewerId;
        return {
          id: m.id,
          privateTo: m.private_to,
          vulnerabilityId: m.vulnerability_id,
          productName: m.product_name,
          author: authorName,
          mine,
          unread: !mine && (!read || m.created_at.getTime() > read.seen_at.getTime()),
          body: m.body,
          createdAt: m.created_at,
        };
      });
    },

    async postCaseMessage(ctx: RequestContext, caseId: string, input: NewCaseMessage): Promise<{ id: string }> {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'cases.answer');
      const { viewer, rows } = await open(ctx, caseId);
      const body = cleanText(input.body, 100_000).trim();
      if (!body) throw new BadRequestError('empty_message', 'The message is empty');
      if (input.vulnerabilityId && !rows.vulnerabilities.some((v) => v.id === input.vulnerabilityId))
        throw new BadRequestError('vulnerability_not_in_case', 'No such vulnerability in this case');
      let privateTo: string | null = null;
      let authorParticipant: string | null = null;
      if (viewer.kind === 'team') {
        if (input.privateTo) {
          const target = rows.participants.find((p) => p.id === input.privateTo);
          if (!target) throw new NotFoundError('participant_not_found', 'No such participant in this case');
          if (!target.shared_at) throw new BadRequestError('participant_not_shared', 'Share the case with this participant before writing to it');
          privateTo = target.id;
        }
      } else {
        const own = viewer.own[0];
        if (!own) throw new NotFoundError('case_not_found', 'No such case');
        // A participant writes to everyone on the case or privately to the team, never to another participant.
        if (input.privateTo) throw new BadRequestError('private_to_team_only', 'A participant writes privately to the team only: use "private": true');
        authorParticipant = own.id;
        if (input.private) privateTo = own.id;
      }
      await deps.jobs.start();
      return db.transaction().execute(async (trx) => {
        const message = await trx
          .insertInto('case_messages')
          .values({
            case_id: caseId,
            private_to: privateTo,
            vulnerability_id: input.vulnerabilityId ?? null,
            product_name: cleanText(input.productName ?? '', 300),
            author_id: actorId(ctx.actor),
            author_participant: authorParticipant,
            body,
            created_at: now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const about = rows.participants.find((p) => p.id === (privateTo ?? authorParticipant));
        await appendCaseEvent(trx, {
          caseId,
          kind: 'message',
          detail: { messageId: message.id, private: privateTo !== null },
          organisationId: about?.organisation_id ?? null,
          actorId: actorId(ctx.actor),
        });
        // NO KEY UPDATE, as the touch below takes anyway: FOR UPDATE would wait on (and deadlock with) the key-share locks of rows inserted for the case.
        const before = await trx.selectFrom('vulnerability_cases').select('modified_at').where('id', '=', caseId).forNoKeyUpdate().executeTakeFirstOrThrow();
        await recordChange(trx, ctx, caseId, 'case.message', { messageId: message.id });
        // One's own message is no news to oneself: a reader who had seen everything before it stays up to date.
        const authorId = actorId(ctx.actor);
        if (authorId)
          await trx
            .updateTable('case_reads')
            .set((eb) => ({ seen_at: eb.selectFrom('vulnerability_cases').select('modified_at').where('id', '=', caseId) }))
            .where('case_id', '=', caseId)
            .where('user_id', '=', authorId)
            .where('seen_at', '>=', before.modified_at)
            .execute();
        await deps.jobs.enqueue(NOTIFY_PARTICIPANTS_JOB, { caseId, messageId: message.id }, { trx, idempotencyKey: `message:${message.id}` });
        // Who may read it: the case thread every shared participant but its author; a private one from the team, that participant.
        const audience = privateTo === null ? { all: true as const, except: authorParticipant } : authorParticipant ? null : { participants: [privateTo] };
        if (audience) await deps.webhooks.emit(trx, { type: 'message.created', caseId, audience, resource: `/cases/${caseId}/messages` });
        return message;
      });
    },

    /** Records that the user opened the case now: later changes are new to them. */
    async markCaseSeen(ctx: RequestContext, caseId: string): Promise<void> {
      await open(ctx, caseId);
      const userId = actorId(ctx.actor);
      if (!userId) return;
      await db
        .insertInto('case_reads')
        .values({ case_id: caseId, user_id: userId, seen_at: now() })
        .onConflict((oc) => oc.columns(['user_id', 'case_id']).doUpdateSet({ seen_at: now() }))
        .execute();
    },

    /** The cases the user may see that changed since they last opened them (or never opened), newest change first. */
    async changedSinceLastVisit(ctx: RequestContext, limit = 200) {
      const scope = vulnerabilitiesPolicy.listScope(ctx.actor, 'cases.read');
      const userId = actorId(ctx.actor);
      return changedCases(db, scope, userId, Math.min(Math.max(limit, 1), 1_000));
    },
  };
}

async function changedCases(db: Kysely<Schema>, scope: Parameters<typeof caseScope>[0], userId: string | null, limit: number) {
  return db
    .selectFrom('vulnerability_cases as c')
    .leftJoin('case_reads as r', (join) => join.onRef('r.case_id', '=', 'c.id').on('r.user_id', '=', userId ?? '00000000-0000-0000-0000-000000000000'))
    .select(['c.id', 'c.reference', 'c.title', 'c.title_ja', 'c.status', 'c.modified_at', 'r.seen_at'])
    .where(caseScope(scope, sql.ref('c.id')))
    .where((eb) => eb.or([eb('r.seen_at', 'is', null), eb('c.modified_at', '>', eb.ref('r.seen_at'))]))
    .orderBy('c.modified_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
}
