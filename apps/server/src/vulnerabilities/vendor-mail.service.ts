import { type SendVendorMailsRequest, type VendorMailDraft, type VendorMailTemplate, tlpLabel } from '@renkei/contract';
import type { OrganisationRef } from '../contacts/index.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import type { MailService, PreparedMail, QueuedMail } from '../mail/index.ts';
import type { Transaction } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type CasesDeps, createCaseAccess } from './case-access.ts';
import { vendorThreadKey } from './case-mail-keys.ts';
import { appendCaseEvent } from './cases.repository.ts';
import { updateTarget } from './cases.service.ts';
import { type VendorMailFacts, renderVendorMail } from './vendor-mail-templates.ts';
import { caseMailsOf, insertCaseMail } from './vendor-mail.repository.ts';

export interface VendorMailDeps extends CasesDeps {
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue' | 'encryptsTo' | 'deliveryOf'>;
  /** The instance's public address, for the link to the case. */
  publicUrl: string;
}

type Opened = Awaited<ReturnType<ReturnType<typeof createCaseAccess>['open']>>;
type Language = 'ja' | 'en';

const participantNotFound = () => new NotFoundError('participant_not_found', 'No such vendor in this case');

/** The organisation's first preferred language when it is one we write, else Japanese. */
function languageOf(organisation: OrganisationRef | undefined): Language {
  const first = organisation?.languages.find((l) => l === 'ja' || l === 'en');
  return first === 'en' ? 'en' : 'ja';
}

// eslint-disable-next-line no-control-regex -- control characters are what is being removed
const HEADER_BREAKERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex -- control characters are what is being removed
const BODY_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * A subject goes into a header: no line breaks (a CR or LF would start a header of its own), no other
 * control characters, no runs of blanks, at most 300 characters. Untrusted input, like the body.
 */
export function cleanSubject(subject: string): string {
  return subject.replace(HEADER_BREAKERS, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** A body keeps its lines and tabs; other control characters (a terminal's escape sequences, say) go. Untrusted input. */
export function cleanBody(body: string): string {
  return cleanText(body, 100_000).replace(/\r\n?/g, '\n').replace(BODY_CONTROLS, '').trim();
}

function factsOf(opened: Opened, language: Language, link: string): VendorMailFacts {
  const { row, rows } = opened;
  const latest = [...rows.embargoes].reverse().find((e) => e.state === 'agreed' || e.state === 'proposed');
  return {
    reference: row.reference,
    title: language === 'ja' ? (row.title_ja ?? row.title) : row.title,
    vulnerabilities: rows.vulnerabilities.map((v) => ({
      title: language === 'ja' ? (v.title_ja ?? v.title) : v.title,
      cweId: v.cwe_id,
      cveId: v.cve_id,
    })),
    link,
    embargo: latest ? { at: latest.release_at, state: latest.state } : null,
    targetAt: row.target_publication_at,
    publicId: row.public_id,
  };
}

/**
 * The team's mail to a case's vendors: drafts from a template in each vendor's language, then the send
 * through the outbox, encrypted where the directory has the vendor's key and otherwise only the log-in
 * notice (the written text goes into the vendor's private thread on the case, to read after logging in).
 * Each mail sent is a contact attempt; the first starts the vendor's 起算日.
 */
export function createVendorMail(deps: VendorMailDeps) {
  const { db, now } = deps;
  const { openForTeam, recordChange } = createCaseAccess(deps);
  const linkOf = (caseId: string) => `${deps.publicUrl.replace(/\/$/, '')}/app/cases/${caseId}`;

  function vendorsOf(opened: Opened, ids: readonly string[] | undefined) {
    const vendors = opened.rows.participants.filter((p) => p.role === 'vendor' && p.organisation_id !== null);
    if (!ids) return vendors;
    return ids.map((id) => vendors.find((p) => p.id === id) ?? throwError(participantNotFound()));
  }

  return {
    /** One draft per chosen vendor (all when none is chosen), in its language, saying whether it would go encrypted. */
    async draftVendorMails(
      ctx: RequestContext,
      caseId: string,
      input: { template: VendorMailTemplate; participantIds?: readonly string[] | undefined },
    ): Promise<VendorMailDraft[]> {
      const opened = await openForTeam(ctx, caseId);
      const vendors = vendorsOf(opened, input.participantIds);
      const organisations = await deps.organisationsByIds(vendors.map((v) => v.organisation_id!));
      const drafts: VendorMailDraft[] = [];
      for (const vendor of vendors) {
        const organisation = organisations.get(vendor.organisation_id!);
        const language = languageOf(organisation);
        const to = organisation?.contactEmail ?? null;
        const rendered = renderVendorMail(input.template, language, factsOf(opened, language, linkOf(caseId)));
        drafts.push({
          participantId: vendor.id,
          organisationId: vendor.organisation_id!,
          vendorName: (language === 'ja' ? organisation?.nameJa : null) ?? organisation?.name ?? '',
          to,
          language,
          encrypted: to ? await deps.mail.encryptsTo(to) : false,
          template: input.template,
          subject: rendered.subject,
          body: rendered.body,
          noticeBody: rendered.notice,
        });
      }
      return drafts;
    },

    /**
     * Sends the (edited) drafts: all are composed first, then queued in one transaction with their records
     * (the case mail, the contact attempt, the 起算日, the timeline), so none is sent unless all are recorded.
     */
    async sendVendorMails(ctx: RequestContext, caseId: string, input: SendVendorMailsRequest): Promise<{ ids: string[] }> {
      const opened = await openForTeam(ctx, caseId);
      if (new Set(input.mails.map((m) => m.participantId)).size !== input.mails.length)
        throw new BadRequestError('duplicate_participant', 'At most one mail per vendor in one send');
      const vendors = vendorsOf(
        opened,
        input.mails.map((m) => m.participantId),
      );
      const organisations = await deps.organisationsByIds(vendors.map((v) => v.organisation_id!));
      const outgoing: { vendor: (typeof vendors)[number]; mail: (typeof input.mails)[number]; prepared: PreparedMail; body: string; language: Language }[] = [];
      for (const [i, mail] of input.mails.entries()) {
        const vendor = vendors[i]!;
        const organisation = organisations.get(vendor.organisation_id!);
        const to = organisation?.contactEmail;
        if (!to) throw new BadRequestError('vendor_no_address', `${organisation?.name ?? 'This vendor'} has no contact address in the directory`);
        const subject = cleanSubject(mail.subject);
        const body = cleanBody(mail.body);
        if (!subject || !body) throw new BadRequestError('empty_mail', 'A mail needs a subject and a body');
        const language = languageOf(organisation);
        const notice = renderVendorMail(mail.template, language, factsOf(opened, language, linkOf(caseId))).notice;
        const thread = await deps.mail.ensureThread(vendorThreadKey(opened.row.reference, vendor.id), subject);
        const send = (text: string) =>
          deps.mail.prepareSend(ctx, { to, subject: `[${opened.row.reference}] ${subject}`, text, tlp: tlpLabel('amber'), threadId: thread.id });
        // The written text leaves only encrypted: asked first, and checked again on what was composed (a key may change meanwhile).
        let prepared = (await deps.mail.encryptsTo(to)) ? await send(body) : null;
        if (!prepared?.encrypted) prepared = await send(notice);
        outgoing.push({ vendor, mail, prepared, body, language });
      }
      await deps.jobs.start();
      return db.transaction().execute(async (trx) => {
        const ids: string[] = [];
        const at = now();
        for (const { vendor, mail, prepared, body, language } of outgoing) {
          const queued = await deps.mail.queue(trx, ctx, prepared);
          ids.push(await recordSentMail(trx, ctx, { caseId, vendor, template: mail.template, prepared, queued, body, language, at }));
        }
        await updateTarget(trx, caseId, deps.targetDays);
        await recordChange(trx, ctx, caseId, 'case.vendor_mail', { count: ids.length, template: input.mails[0]!.template });
        return { ids };
      });
    },

    /** The case's mails to vendors with where each stands in the outbox and what DSNs said. */
    async listVendorMails(ctx: RequestContext, caseId: string) {
      const opened = await openForTeam(ctx, caseId);
      const rows = await caseMailsOf(db, caseId);
      const [deliveries, organisations] = await Promise.all([
        deps.mail.deliveryOf(rows.map((r) => r.mail_message_id)),
        deps.organisationsByIds(opened.rows.participants.flatMap((p) => (p.organisation_id ? [p.organisation_id] : []))),
      ]);
      return rows.map((r) => ({ row: r, delivery: deliveries.get(r.mail_message_id) ?? null, vendorName: organisations.get(r.organisation_id)?.name ?? '' }));
    },
  };
}

type VendorRow = Opened['rows']['participants'][number];

/** One sent mail's records, in the sending transaction: the case mail, the contact attempt, the share and 起算日, the text on the case, the timeline. */
async function recordSentMail(
  trx: Transaction<Schema>,
  ctx: RequestContext,
  sent: {
    caseId: string;
    vendor: VendorRow;
    template: VendorMailTemplate;
    prepared: PreparedMail;
    queued: QueuedMail;
    body: string;
    language: Language;
    at: Date;
  },
): Promise<string> {
  const { caseId, vendor, template, prepared, queued, body, language, at } = sent;
  const organisationId = vendor.organisation_id!;
  const content = prepared.encrypted ? 'full' : 'notice_only';
  const id = await insertCaseMail(trx, {
    case_id: caseId,
    participant_id: vendor.id,
    organisation_id: organisationId,
    template,
    language,
    encrypted: prepared.encrypted,
    content,
    to_address: prepared.to,
    subject: queued.subject,
    mail_message_id: queued.id,
    sent_by: actorId(ctx.actor),
    sent_at: at,
  });
  await trx
    .insertInto('case_contact_attempts')
    .values({
      case_id: caseId,
      organisation_id: organisationId,
      channel: 'mail',
      outcome: 'sent',
      note: `${template}${prepared.encrypted ? ' (encrypted)' : ' (log-in notice only)'}`,
      mail_message_id: queued.id,
      recorded_by: actorId(ctx.actor),
      attempted_at: at,
    })
    .execute();
  // The mail is the notice: the case is shared with the vendor (to log in) and its 起算日 starts.
  await trx
    .updateTable('case_participants')
    .set({ shared_at: vendor.shared_at ?? at, contact_started_at: vendor.contact_started_at ?? at })
    .where('id', '=', vendor.id)
    .execute();
  await trx
    .updateTable('vendor_statuses')
    .set({ status: 'notified_no_answer' })
    .where('case_id', '=', caseId)
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'not_notified')
    .execute();
  // What was written stays on the case, in the team's private thread with the vendor (no second notice).
  await trx
    .insertInto('case_messages')
    .values({ case_id: caseId, private_to: vendor.id, author_id: actorId(ctx.actor), author_participant: null, body, created_at: at })
    .execute();
  await appendCaseEvent(trx, {
    caseId,
    kind: 'vendor_mailed',
    detail: { template, encrypted: prepared.encrypted, content, mailMessageId: queued.id },
    organisationId,
    actorId: actorId(ctx.actor),
    at,
  });
  return id;
}

function throwError(error: Error): never {
  throw error;
}
