import { Readable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../testing/test-app.ts';
import { type DovecotServer, dovecotPath, startDovecot } from './dovecot-test-server.ts';
import { TOO_LARGE_KEYWORD, parseImapUrl, pollImapMailbox } from './imap-poller.ts';
import { INTAKE, type MailHarness, rfc822, startMailHarness, waitFor } from './mail-test-kit.ts';
import { IMAP_POLL_JOB } from './mail.service.ts';

const required = process.env.RENKEI_REQUIRE_IMAP === '1';

describe('parseImapUrl', () => {
  it('Should read user, password, host, port, mailbox and options, percent-decoded', () => {
    expect(parseImapUrl('imap://in%40take:p%3Ass@127.0.0.1:1143/Reports%2FCERT?starttls=none&move-to=Done')).toEqual({
      host: '127.0.0.1',
      port: 1143,
      secure: false,
      user: 'in@take',
      pass: 'p:ss',
      mailbox: 'Reports/CERT',
      starttls: 'none',
      rejectUnauthorized: true,
      moveTo: 'Done',
    });
    expect(parseImapUrl('imaps://u:p@mail.example?tls-insecure=1')).toMatchObject({
      port: 993,
      secure: true,
      mailbox: 'INBOX',
      starttls: 'required',
      rejectUnauthorized: false,
    });
  });

  it('Should refuse other schemes, a missing user and unknown options, naming the problem', () => {
    expect(() => parseImapUrl('pop3://u:p@host')).toThrow(/imap:\/\/ or imaps:\/\//);
    expect(() => parseImapUrl('imap://host/INBOX')).toThrow(/user/);
    expect(() => parseImapUrl('imap://u:p@host/INBOX?startls=none')).toThrow(/unknown option "startls"/);
    expect(() => parseImapUrl('imap://u:p@host/INBOX?starttls=maybe')).toThrow(/required, auto or none/);
  });
});

/** The subjects and flags of a mailbox's messages, as another client sees them. */
async function flagsOf(imap: ImapFlow, mailbox: string): Promise<{ subject: string; flags: string[] }[]> {
  const lock = await imap.getMailboxLock(mailbox);
  try {
    await imap.noop(); // take in what the poller's own session changed
    const out: { subject: string; flags: string[] }[] = [];
    for await (const message of imap.fetch('1:*', { envelope: true, flags: true }))
      out.push({ subject: message.envelope?.subject ?? '', flags: [...(message.flags ?? [])] });
    return out;
  } catch {
    return [];
  } finally {
    lock.release();
  }
}
async function clearInbox(imap: ImapFlow): Promise<void> {
  const lock = await imap.getMailboxLock('INBOX');
  try {
    const status = await imap.status('INBOX', { messages: true });
    if (status && status.messages) await imap.messageDelete('1:*');
  } finally {
    lock.release();
  }
}

if (!dovecotPath && !required) {
  describe.skip('IMAP poller against Dovecot (skipped: Dovecot is not installed; apt-get install dovecot-imapd to run it)', () => {
    it('needs Dovecot', () => undefined);
  });
} else {
  describe('IMAP poller against a real Dovecot on loopback', () => {
    let dovecot: DovecotServer;
    let h: MailHarness;
    let analyst: TestUser;
    let imap: ImapFlow;

    beforeAll(async () => {
      if (!dovecotPath) throw new Error('RENKEI_REQUIRE_IMAP=1 but Dovecot is not installed (apt-get install dovecot-imapd)');
      dovecot = await startDovecot();
      h = await startMailHarness({ RENKEI_IMAP_URL: dovecot.url, RENKEI_MAIL_SIZE_LIMIT: String(64 * 1024) });
      analyst = await h.t.createUser(['analyst']);
      imap = new ImapFlow({
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        doSTARTTLS: false,
        auth: { user: dovecot.user, pass: dovecot.password },
        logger: false,
      });
      await imap.connect();
    }, 30_000);
    afterAll(async () => {
      await imap?.logout().catch(() => undefined);
      await h?.close();
      await dovecot?.stop();
    });

    const settings = () => parseImapUrl(dovecot.url);
    const inbound = async () =>
      (await h.t.request(analyst, { url: '/api/v1/mail/messages?direction=inbound&limit=100' })).json<{
        items: { id: string; subject: string }[];
        total: number;
      }>();
    it('Should store each unseen message through the intake, keep its raw bytes, and flag it \\Seen', async () => {
      const raw = rfc822(
        { From: 'noc@isp.example', To: INTAKE, Subject: 'IMAP report one', 'Message-ID': '<imap-1@isp.example>' },
        'Phishing at 198.51.100.7\n',
      );
      await imap.append('INBOX', raw);
      await imap.append('INBOX', rfc822({ From: 'noc@isp.example', To: INTAKE, Subject: 'IMAP report two', 'Message-ID': '<imap-2@isp.example>' }, 'Second\n'));
      await imap.append('INBOX', rfc822({ From: 'old@isp.example', To: INTAKE, Subject: 'Already read' }, 'Seen before Renkei\n'), ['\\Seen']);

      const result = await pollImapMailbox(h.t.services.mail, settings());
      expect(result).toEqual({ found: 2, stored: 2, duplicates: 0, tooLarge: 0 });
      const list = await inbound();
      expect(list.items.map((m) => m.subject).sort()).toEqual(['IMAP report one', 'IMAP report two']);
      const first = (await h.t.request(analyst, { url: `/api/v1/mail/messages/${list.items.find((m) => m.subject === 'IMAP report one')!.id}` })).json();
      expect(first).toMatchObject({ messageId: 'imap-1@isp.example', rawSize: Buffer.byteLength(raw) });
      expect(first.textBody).toContain('198.51.100.7');
      // The raw blob is the message byte for byte.
      const stream = await h.t.services.blobs.open(first.rawSha256);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(raw);
      expect((await flagsOf(imap, 'INBOX')).every((m) => m.flags.includes('\\Seen'))).toBe(true);
      const audit = await h.t.database.db.selectFrom('audit_log').select(['actor_label']).where('action', '=', 'mail.receive').execute();
      expect(audit.filter((a) => a.actor_label === 'imap')).toHaveLength(2);

      // Nothing unseen left: the next poll does nothing.
      expect(await pollImapMailbox(h.t.services.mail, settings())).toEqual({ found: 0, stored: 0, duplicates: 0, tooLarge: 0 });
      await clearInbox(imap);
    });

    it('Should neither lose nor double a message stored by a poll that stopped before flagging it', async () => {
      const before = (await inbound()).total;
      await imap.append(
        'INBOX',
        rfc822({ From: 'noc@isp.example', To: INTAKE, Subject: 'Crashed poll', 'Message-ID': '<imap-crash@isp.example>' }, 'Stored, never flagged\n'),
      );
      // The stopped poll: the same bytes the server hands out went through the intake, and \Seen was never set.
      const lock = await imap.getMailboxLock('INBOX');
      let source: Buffer;
      try {
        const message = await imap.fetchOne('*', { source: true });
        source = message ? message.source! : Buffer.alloc(0);
      } finally {
        lock.release();
      }
      await h.t.services.mail.receive(Readable.from([source]), { mailFrom: null, rcptTo: [], clientAddress: null, source: 'imap' });
      expect((await inbound()).total).toBe(before + 1);
      expect((await flagsOf(imap, 'INBOX'))[0]!.flags).not.toContain('\\Seen');

      expect(await pollImapMailbox(h.t.services.mail, settings())).toEqual({ found: 1, stored: 0, duplicates: 1, tooLarge: 0 });
      expect((await inbound()).total).toBe(before + 1);
      expect((await flagsOf(imap, 'INBOX'))[0]!.flags).toContain('\\Seen');
      await clearInbox(imap);
    });

    it('Should leave a message over the size limit in the mailbox, marked, and not fetch it again', async () => {
      const before = (await inbound()).total;
      await imap.append('INBOX', rfc822({ From: 'big@isp.example', To: INTAKE, Subject: 'Too big' }, 'x'.repeat(100 * 1024)));
      expect(await pollImapMailbox(h.t.services.mail, settings())).toEqual({ found: 1, stored: 0, duplicates: 0, tooLarge: 1 });
      const [message] = await flagsOf(imap, 'INBOX');
      expect(message!.flags).toContain(TOO_LARGE_KEYWORD);
      expect(message!.flags).not.toContain('\\Seen');
      expect((await inbound()).total).toBe(before);
      expect(await pollImapMailbox(h.t.services.mail, settings())).toEqual({ found: 0, stored: 0, duplicates: 0, tooLarge: 0 });
      await clearInbox(imap);
    });

    it('Should move stored messages to the folder named by move-to instead of flagging them', async () => {
      await imap.mailboxCreate('Processed');
      await imap.append('INBOX', rfc822({ From: 'noc@isp.example', To: INTAKE, Subject: 'To be moved' }, 'Move me\n'));
      const result = await pollImapMailbox(h.t.services.mail, parseImapUrl(`${dovecot.url}&move-to=Processed`));
      expect(result.stored).toBe(1);
      expect(await flagsOf(imap, 'INBOX')).toEqual([]);
      expect((await flagsOf(imap, 'Processed')).map((m) => m.subject)).toEqual(['To be moved']);
    });

    it('Should run as the mail.poll-imap job when RENKEI_IMAP_URL is set', async () => {
      await imap.append('INBOX', rfc822({ From: 'noc@isp.example', To: INTAKE, Subject: 'Through the job queue' }, 'Polled by a job\n'));
      await h.t.services.jobs.startWorker({ concurrency: 1 });
      const { id } = await h.t.services.jobs.enqueue(IMAP_POLL_JOB, {});
      const job = await waitFor(
        () => h.t.services.jobs.getJob(IMAP_POLL_JOB, id),
        (j) => j?.state === 'completed' || j?.state === 'failed',
        30_000,
      );
      expect(job).toMatchObject({ state: 'completed', output: { found: 1, stored: 1 } });
      expect((await inbound()).items.map((m) => m.subject)).toContain('Through the job queue');
      expect((await h.t.services.jobs.schedules()).map((s) => s.name)).toContain(IMAP_POLL_JOB);
    });

    it("Should fail the poll with the server's refusal when the password is wrong", async () => {
      await expect(pollImapMailbox(h.t.services.mail, { ...settings(), pass: 'wrong' })).rejects.toThrow();
    });
  });
}
