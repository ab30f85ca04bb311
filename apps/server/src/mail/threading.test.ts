import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccess } from '../testing/access.ts';
import type { TestUser } from '../testing/test-app.ts';
import { INTAKE, type MailHarness, rfc822, startMailHarness } from './mail-test-kit.ts';
import { bracketTokens, looksLikeReply, plusDetail } from './reply-token.ts';

let h: MailHarness;
let analyst: TestUser;

beforeAll(async () => {
  h = await startMailHarness();
  analyst = await h.t.createUser(['analyst']);
});
afterAll(async () => {
  await h.close();
});

async function deliver(headers: Record<string, string>, body = 'x', to = [INTAKE]) {
  const reply = await h.sendRaw(rfc822({ From: 'reporter@example.org', To: to[0]!, ...headers }, body), { to });
  const id = /Stored as (\S+)/.exec(reply)![1]!;
  return (await h.t.request(analyst, { url: `/api/v1/mail/messages/${id}` })).json();
}

describe('threading', () => {
  it('Should open a new thread with a key for a new report', async () => {
    const first = await deliver({ Subject: 'New phishing report', 'Message-ID': '<new@example.org>' });
    expect(first.threadKey).toMatch(/^ML-\d{4}-\d{6}$/);
    expect(first.flags).toEqual([]);
  });

  it('Should join a reply by In-Reply-To and by References', async () => {
    const first = await deliver({ Subject: 'Original', 'Message-ID': '<orig@example.org>' });
    const byInReplyTo = await deliver({ Subject: 'Re: Original', 'In-Reply-To': '<orig@example.org>' });
    const byReferences = await deliver({ Subject: 'Re: Re: Original', References: '<unknown@elsewhere> <orig@example.org>' });
    expect(byInReplyTo.threadId).toBe(first.threadId);
    expect(byReferences.threadId).toBe(first.threadId);
  });

  it('Should join a reply by the token in its subject, whatever else the subject says', async () => {
    const first = await deliver({ Subject: 'Token thread' });
    const reply = await deliver({ Subject: `AW: [${first.threadKey}] something else entirely` });
    expect(reply.threadId).toBe(first.threadId);
    expect(reply.flags).not.toContain('unmatched_reply');
  });

  it('Should join a message sent to the plus-address of a thread', async () => {
    const first = await deliver({ Subject: 'Plus thread' });
    const plus = `report+${first.threadKey.toLowerCase()}@intake.test`;
    const reply = await deliver({ Subject: 'no token here' }, 'x', [plus]);
    expect(reply.threadId).toBe(first.threadId);
  });

  it('Should flag a reply that matches no thread for an analyst instead of opening one', async () => {
    const orphan = await deliver({ Subject: 'Re: something we never sent', 'In-Reply-To': '<never@nowhere>' });
    expect(orphan).toMatchObject({ threadId: null, flags: ['unmatched_reply'] });
    const unknownToken = await deliver({ Subject: '[IR-2026-999999] status?' });
    expect(unknownToken).toMatchObject({ threadId: null, flags: ['unmatched_reply'] });
    const japanese = await deliver({ Subject: '返信: 先日の件' });
    expect(japanese.flags).toContain('unmatched_reply');
    const flagged = (await h.t.request(analyst, { url: '/api/v1/mail/messages?flag=unmatched_reply' })).json();
    expect(flagged.total).toBe(3);
  });

  it('Should let an analyst file an unmatched reply under a thread', async () => {
    const home = await deliver({ Subject: 'Home thread' });
    const orphan = await deliver({ Subject: 'Re: lost', 'In-Reply-To': '<lost@nowhere>' });
    const response = await h.t.request(analyst, { method: 'POST', url: `/api/v1/mail/messages/${orphan.id}/thread`, payload: { threadId: home.threadId } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ threadId: home.threadId, flags: [] });
    await expectAccess(
      h.t,
      { method: 'POST', url: `/api/v1/mail/messages/${orphan.id}/thread`, payload: { threadId: home.threadId } },
      { allowed: ['admin', 'coordinator', 'analyst'] },
    );
  });

  it('Should list threads, most recently active first', async () => {
    const threads = (await h.t.request(analyst, { url: '/api/v1/mail/threads?limit=3' })).json();
    expect(threads.items[0].subject).toBe('Home thread');
    expect(threads.items[0].messageCount).toBe(2);
  });
});

describe('reply tokens', () => {
  it('Should find bracketed keys in subjects and plus-address details', () => {
    const tokens = bracketTokens();
    expect(tokens.find('Re: [IR-2026-000123] Phishing [INC-2026-000045]')).toEqual(['IR-2026-000123', 'INC-2026-000045']);
    expect(tokens.mark('Phishing', 'IR-2026-000123')).toBe('[IR-2026-000123] Phishing');
    expect(tokens.mark('Re: [IR-2026-000123] Phishing', 'IR-2026-000123')).toBe('Re: [IR-2026-000123] Phishing');
    expect(tokens.fromDetail('ir-2026-000123')).toBe('IR-2026-000123');
    expect(tokens.fromDetail('../etc')).toBeNull();
    expect(plusDetail('Report+IR-2026-000123@Intake.test', INTAKE)).toBe('IR-2026-000123');
    expect(plusDetail('other+IR-2026-000123@intake.test', INTAKE)).toBeNull();
  });

  it('Should take another token format, such as JVN-style note IDs', () => {
    const jvn = bracketTokens(/JVNVU#[0-9]{8}/);
    expect(jvn.find('Re: [JVNVU#12345678] embargo')).toEqual(['JVNVU#12345678']);
    expect(jvn.find('[IR-2026-000123]')).toEqual([]);
  });

  it('Should recognise replies in the languages correspondents write in', () => {
    for (const subject of ['Re: x', 'RE : x', 'AW: x', 'Fwd: x', 'SV: x', '返信: x', 'Re[2]: x']) expect(looksLikeReply(subject, null), subject).toBe(true);
    expect(looksLikeReply('Report of phishing', null)).toBe(false);
    expect(looksLikeReply('Report', 'abc@x')).toBe(true);
  });
});
