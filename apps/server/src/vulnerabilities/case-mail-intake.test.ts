import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseMail, CaseMessage } from '@renkei/contract';
import { INTAKE, rfc822, waitFor } from '../mail/mail-test-kit.ts';
import type { TestApp } from '../testing/test-app.ts';
import { caseWithTwoVendors, draftsFor, relayed, sendDrafts } from './vendor-mail-test-kit.ts';
import { openCase, startCaseHarness } from './vulnerabilities-test-kit.ts';

let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let t: TestApp;
let world: Awaited<ReturnType<typeof caseWithTwoVendors>>;
let sent: CaseMail[];
let kagiMessageId: string;

beforeAll(async () => {
  harness = await startCaseHarness();
  t = harness.t;
  world = await caseWithTwoVendors(harness);
  await sendDrafts(t, world.coordinator, world.caseId, await draftsFor(t, world.coordinator, world.caseId, { template: 'initial' }));
  sent = (await t.request(world.coordinator, { url: `/api/v1/cases/${world.caseId}/mails` })).json<CaseMail[]>();
  kagiMessageId = (await relayed(t, harness.sink, sent.find((m) => m.participantId === world.kagi.participantId)!.mailMessageId)).messageId;
});
afterAll(async () => harness.close());

const inboundWith = (subject: string) =>
  waitFor(
    () =>
      t.database.db
        .selectFrom('mail_messages')
        .select(['id', 'thread_id', 'flags'])
        .where('direction', '=', 'inbound')
        .where('subject', '=', subject)
        .executeTakeFirst(),
    (row) => row !== undefined,
  ).then((row) => row!);
const filedFrom = (mailMessageId: string) =>
  t.database.db.selectFrom('case_messages').selectAll().where('mail_message_id', '=', mailMessageId).executeTakeFirst();
const messagesAs = async (user: Parameters<TestApp['request']>[0]) =>
  (await t.request(user, { url: `/api/v1/cases/${world.caseId}/messages` })).json<CaseMessage[]>();
const threadKeyOf = async (threadId: string | null) =>
  threadId ? (await t.database.db.selectFrom('mail_threads').select('key').where('id', '=', threadId).executeTakeFirst())?.key : undefined;

describe('vendors’ replies threaded into the case', () => {
  it('Should file a vendor’s reply as a private message between it and the team, and not as an incident report', async () => {
    const subject = `Re: ${sent.find((m) => m.participantId === world.kagi.participantId)!.subject}`;
    await harness.h.sendRaw(
      rfc822(
        { From: world.kagi.address, To: INTAKE, Subject: subject, 'In-Reply-To': `<${kagiMessageId}>`, 'Message-ID': '<reply-1@kagi-vendor.example>' },
        '調査中です。来週ご回答します。',
      ),
      { from: world.kagi.address },
    );
    const inbound = await inboundWith(subject);
    const filed = await waitFor(
      () => filedFrom(inbound.id),
      (row) => row !== undefined,
    );
    expect(filed).toMatchObject({ case_id: world.caseId, private_to: world.kagi.participantId, author_participant: world.kagi.participantId });
    expect(filed!.body).toContain('調査中です');
    // The vendor sees its own thread; the other vendor does not.
    expect((await messagesAs(world.kagi.user)).some((m) => m.body.includes('調査中です') && m.privateTo === world.kagi.participantId)).toBe(true);
    expect((await messagesAs(world.plain.user)).some((m) => m.body.includes('調査中です'))).toBe(false);
    expect((await messagesAs(world.coordinator)).find((m) => m.body.includes('調査中です'))?.author).toBe('Kagi Vendor');
    // The original stays in the mailbox, in the vendor's thread; it did not become an incident report.
    expect(await threadKeyOf(inbound.thread_id)).toMatch(new RegExp(`^${world.reference}-[0-9A-F]{8}$`));
    expect(await t.database.db.selectFrom('reports').select('id').where('mail_message_id', '=', inbound.id).execute()).toEqual([]);
    const answered = await t.database.db.selectFrom('case_contact_attempts').select('outcome').where('mail_message_id', '=', inbound.id).execute();
    expect(answered).toEqual([{ outcome: 'answered' }]);
  });

  it('Should file a mail that names only the case from the vendor’s address, in that vendor’s thread', async () => {
    const subject = `[${world.reference}] Our answer`;
    await harness.h.sendRaw(rfc822({ From: world.plain.address, To: INTAKE, Subject: subject }, 'Not affected: we do not ship that login form.'), {
      from: world.plain.address,
    });
    const inbound = await inboundWith(subject);
    const filed = await waitFor(
      () => filedFrom(inbound.id),
      (row) => row !== undefined,
    );
    expect(filed).toMatchObject({ private_to: world.plain.participantId, author_participant: world.plain.participantId });
    const moved = await waitFor(
      () => t.database.db.selectFrom('mail_messages').select(['thread_id', 'flags']).where('id', '=', inbound.id).executeTakeFirstOrThrow(),
      (row) => row.thread_id !== null,
    );
    expect(moved.flags).not.toContain('unmatched_reply');
    expect(await threadKeyOf(moved.thread_id)).toBe(`${world.reference}-${world.plain.participantId.slice(0, 8).toUpperCase()}`);
  });

  it('Should decrypt a reply encrypted to the instance key before filing it', async () => {
    const instance = await t.database.db.selectFrom('pgp_keys').select('armored').where('is_instance_key', '=', true).executeTakeFirstOrThrow();
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: '機密: the fix ships in 2.4.1 on 1 March.' }),
      encryptionKeys: await openpgp.readKey({ armoredKey: instance.armored }),
      signingKeys: world.kagi.key.privateKey,
    });
    const subject = `[${world.reference}] encrypted status`;
    await harness.h.sendRaw(rfc822({ From: world.kagi.address, To: INTAKE, Subject: subject }, String(armored)), { from: world.kagi.address });
    const inbound = await inboundWith(subject);
    const filed = await waitFor(
      () => filedFrom(inbound.id),
      (row) => row !== undefined,
    );
    expect(filed!.body).toContain('the fix ships in 2.4.1');
    expect(filed!.body).not.toContain('BEGIN PGP MESSAGE');
    const event = await t.database.db
      .selectFrom('case_events')
      .select('detail')
      .where('case_id', '=', world.caseId)
      .where('kind', '=', 'vendor_mail_reply')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.detail).toMatchObject({ encrypted: true });
  });
});

describe('mail naming a case from anyone else', () => {
  it('Should not file a stranger’s reply in a vendor’s thread on the case, and hand it to the ordinary intake', async () => {
    const subject = `Re: [${world.reference}] I found this forwarded`;
    await harness.h.sendRaw(
      rfc822({ From: 'mallory@stranger.example', To: INTAKE, Subject: subject, 'In-Reply-To': `<${kagiMessageId}>` }, 'Tell me everything about this case.'),
      { from: 'mallory@stranger.example' },
    );
    const inbound = await inboundWith(subject);
    // The ordinary intake files it as a report for a person to read; the case gets nothing.
    await waitFor(
      () => t.database.db.selectFrom('reports').select('id').where('mail_message_id', '=', inbound.id).execute(),
      (rows) => rows.length === 1,
    );
    expect(await filedFrom(inbound.id)).toBeUndefined();
    expect(await t.services.vulnerabilities.intakeCaseMail(inbound.id)).toEqual({ outcome: 'not_participant' });
    // Nothing went back to the stranger.
    expect(harness.sink.messages.some((m) => m.to.includes('mallory@stranger.example'))).toBe(false);
  });

  it('Should leave a stranger’s mail with only the case tag among the unmatched replies', async () => {
    const subject = `[${world.reference}] what is this?`;
    await harness.h.sendRaw(rfc822({ From: 'eve@stranger.example', To: INTAKE, Subject: subject }, 'Hello?'), { from: 'eve@stranger.example' });
    const inbound = await inboundWith(subject);
    expect(inbound.flags).toContain('unmatched_reply');
    expect(inbound.thread_id).toBeNull();
    expect(await t.services.vulnerabilities.intakeCaseMail(inbound.id)).toEqual({ outcome: 'not_participant' });
    expect(await filedFrom(inbound.id)).toBeUndefined();
  });

  it('Should not file a vendor’s mail on a case it is not part of', async () => {
    const other = await openCase(t, world.coordinator, 'Other Product');
    const subject = `[${other.reference}] guessing`;
    await harness.h.sendRaw(rfc822({ From: world.plain.address, To: INTAKE, Subject: subject }, 'Is this about us?'), { from: world.plain.address });
    const inbound = await inboundWith(subject);
    expect(await t.services.vulnerabilities.intakeCaseMail(inbound.id)).toEqual({ outcome: 'not_participant' });
    expect(await t.database.db.selectFrom('case_messages').select('id').where('case_id', '=', other.caseId).execute()).toEqual([]);
  });
});

describe('bounces of case mail', () => {
  it('Should record a DSN of a case mail as a bounced contact attempt for that vendor, once', async () => {
    const mail = sent.find((m) => m.participantId === world.plain.participantId)!;
    const { messageId } = await relayed(t, harness.sink, mail.mailMessageId);
    const dsn = rfc822(
      {
        From: 'MAILER-DAEMON@relay.example',
        To: INTAKE,
        Subject: 'Undelivered Mail Returned to Sender',
        'Auto-Submitted': 'auto-replied',
        'Content-Type': 'multipart/report; report-type=delivery-status; boundary="r"',
      },
      [
        '--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n',
        `--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example\nOriginal-Envelope-Id: ${mail.mailMessageId}\n\nFinal-Recipient: rfc822; ${world.plain.address}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n`,
        `--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: <${messageId}>\nSubject: ${mail.subject}\n`,
        '--r--\n',
      ].join(''),
    );
    await harness.h.sendRaw(dsn, { from: '' });
    const bounced = () =>
      t.database.db
        .selectFrom('case_contact_attempts')
        .select(['channel', 'outcome', 'note', 'mail_message_id'])
        .where('case_id', '=', world.caseId)
        .where('organisation_id', '=', world.plain.organisationId)
        .where('outcome', '=', 'bounced')
        .execute();
    const attempts = await waitFor(bounced, (rows) => rows.length === 1);
    expect(attempts[0]).toMatchObject({ channel: 'mail', mail_message_id: mail.mailMessageId, note: expect.stringContaining('5.1.1') });
    const dsnRow = await inboundWith('Undelivered Mail Returned to Sender');
    expect(await t.services.vulnerabilities.intakeCaseMail(dsnRow.id)).toEqual({ outcome: 'bounce' });
    expect(await bounced()).toHaveLength(1);
    const listed = (await t.request(world.coordinator, { url: `/api/v1/cases/${world.caseId}/mails` })).json<CaseMail[]>();
    expect(listed.find((m) => m.id === mail.id)).toMatchObject({ deliveryStatus: 'bounced', deliveryDetail: expect.stringContaining('5.1.1') });
    // The other vendor's mail did not bounce.
    expect(
      await t.database.db
        .selectFrom('case_contact_attempts')
        .select('id')
        .where('organisation_id', '=', world.kagi.organisationId)
        .where('outcome', '=', 'bounced')
        .execute(),
    ).toEqual([]);
  });
});
