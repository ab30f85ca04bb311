import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE, type MailHarness, insertDirectoryKey, makeKey, rfc822, startMailHarness, startSink, waitFor } from '../mail/mail-test-kit.ts';
import { systemContext } from '../policy/actor.ts';
import { type TestRecipient, addRecipient, shadowserverCsv } from './feeds-test-kit.ts';

let h: MailHarness;
let sink: Awaited<ReturnType<typeof startSink>>;
const recipients: (TestRecipient & { language: string; format: string; ceiling: string })[] = [];
const ctx = systemContext('test');

// A fixed generator, so a failure can be replayed.
let seed = 20261126;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

beforeAll(async () => {
  sink = await startSink();
  h = await startMailHarness({ RENKEI_SMTP_RELAY: sink.url });
  await insertDirectoryKey(h.t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  for (let i = 0; i < 12; i++) {
    const language = i % 3 === 0 ? 'ja' : 'en';
    const format = i % 4 === 1 ? 'xarf' : 'csv';
    const ceiling = i === 5 ? 'green' : 'amber';
    const r = await addRecipient(h.t.database, {
      name: `ISP ${i}`,
      net: `198.18.${i}`,
      abuse: `abuse@isp${i}.example`,
      languages: language === 'ja' ? ['ja', 'en'] : ['en'],
      format,
      ceiling,
    });
    recipients.push({ ...r, language, format, ceiling });
  }
  await h.t.services.jobs.startWorker({ concurrency: 2 });
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

const ipsIn = (text: string) => [...text.matchAll(/\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b/g)].map((m) => m[1]!);

describe('feed notifications', () => {
  it('Should send each recipient only its own events, in its format and language, holding back what is above its TLP ceiling', async () => {
    // Random events over the twelve networks and addresses nobody in the directory holds.
    const rows = Array.from({ length: 1500 }, (_, i) => {
      const owner = Math.floor(random() * 14); // 12, 13: nobody's
      const ip = owner < 12 ? `198.18.${owner}.${Math.floor(random() * 256)}` : `192.0.2.${Math.floor(random() * 256)}`;
      return {
        ip,
        port: 1 + Math.floor(random() * 3),
        timestamp: `2026-11-25 ${String(i % 24).padStart(2, '0')}:00:00`,
        hostname: i % 97 === 0 ? '=HYPERLINK("http://evil.example")' : `h${i}.example`,
      };
    });
    const half = rows.length / 2;
    const amber = await h.t.services.feeds.ingestBuffer(ctx, '2026-11-25-scan_ntp-a.csv', shadowserverCsv(rows.slice(0, half)), {
      format: 'shadowserver',
      tlp: 'amber',
    });
    const green = await h.t.services.feeds.ingestBuffer(ctx, '2026-11-25-scan_snmp-b.csv', shadowserverCsv(rows.slice(half)), {
      format: 'shadowserver',
      tlp: 'green',
    });
    expect(amber.eventsStored + green.eventsStored).toBeGreaterThan(1000);

    const { notifications } = await h.t.services.feeds.notifyDue(ctx, { force: true });
    expect(notifications).toHaveLength(12);
    const mailed = notifications.filter((n) => n.state === 'queued');
    await waitFor(
      async () => sink.messages.length,
      (n) => n >= mailed.length,
      30_000,
    );

    for (const n of notifications) {
      const r = recipients.find((x) => x.abuse === n.recipient)!;
      expect(n).toMatchObject({ organisationId: r.organisationId, format: r.format, language: r.language, tlpCeiling: r.ceiling });
      const stored = await h.t.database.db.selectFrom('feed_events').select(['ip', 'tlp', 'withheld']).where('notification_id', '=', n.id).execute();
      expect(stored.every((e) => e.ip.startsWith(`${r.net}.`))).toBe(true);
      const pending = await h.t.database.db
        .selectFrom('feed_events')
        .select('id')
        .where('recipient', '=', r.abuse)
        .where('notification_id', 'is', null)
        .execute();
      expect(pending).toEqual([]);
      if (r.ceiling === 'green') {
        expect(n.withheldCount).toBe(stored.filter((e) => e.tlp === 'amber').length);
        expect(n.withheldCount).toBeGreaterThan(0);
        expect(n.tlp).toBe('green');
      } else {
        expect(n.withheldCount).toBe(0);
      }
      expect(n.eventCount).toBe(stored.filter((e) => !e.withheld).length);

      // The generated file: only this recipient's addresses, each sent event exactly once.
      const file = Buffer.concat(await (await h.t.services.blobs.open(n.attachmentSha256!)).toArray()).toString('utf8');
      const fileIps = ipsIn(file);
      expect(fileIps.length).toBe(n.eventCount);
      expect(fileIps.every((ip) => ip.startsWith(`${r.net}.`))).toBe(true);
      if (r.format === 'csv') {
        expect(file.split('\r\n')[0]).toMatch(/^timestamp,ip,protocol,port,hostname,tag,asn,geo,report_type,taxonomy,classification/);
        expect(file).not.toMatch(/(^|,)=HYPERLINK/m);
      } else {
        expect(file).toMatch(/^---\nReported-From: /);
        expect(file).toContain('Version: "0.2"');
      }

      // The mail the relay received: to this recipient only, its language, its TLP, only its addresses.
      const message = sink.messages.find((m) => m.to.includes(r.abuse));
      expect(message, r.abuse).toBeTruthy();
      expect(message!.to).toEqual([r.abuse]);
      const parsed = await PostalMime.parse(message!.raw);
      expect(parsed.subject).toContain(n.key);
      expect(parsed.subject).toContain(r.ceiling === 'green' ? '[TLP:GREEN]' : '[TLP:AMBER]');
      expect(parsed.text ?? '').toContain(r.language === 'ja' ? '御中' : 'Dear ');
      // The body is the human summary: no addresses at all. The files carry them.
      expect(ipsIn(`${parsed.text ?? ''}\n${parsed.html ?? ''}`)).toEqual([]);
      const files = parsed.attachments.filter((a) => a.mimeType !== 'application/pgp-signature');
      const bytes = (a: (typeof files)[number]) => Buffer.from(a.content as ArrayBuffer);
      expect(files.map((a) => a.filename)).toEqual(r.format === 'csv' ? [`${n.key}.csv`] : ['report.txt', `${n.key}-evidence.csv`]);
      // Every address anywhere in the mail is this recipient's, and each file holds each sent event exactly once.
      for (const a of files) {
        const fileIps = ipsIn(bytes(a).toString('utf8'));
        expect(fileIps.length, a.filename!).toBe(n.eventCount);
        expect(
          fileIps.every((ip) => ip.startsWith(`${r.net}.`)),
          a.filename!,
        ).toBe(true);
      }
      const everything = [parsed.text ?? '', parsed.html ?? '', ...parsed.attachments.map((a) => bytes(a).toString('utf8'))].join('\n');
      expect(ipsIn(everything).length).toBe(n.eventCount * files.length);
      expect(ipsIn(everything).every((ip) => ip.startsWith(`${r.net}.`))).toBe(true);
      // The report attachment is the stored file, byte for byte.
      expect(bytes(files[0]!).toString('utf8')).toBe(file);
      if (r.format === 'xarf') {
        expect(parsed.headers.find((x) => x.key === 'x-xarf')?.value).toBe('PLAIN');
        expect(files.map((a) => a.mimeType)).toEqual(['text/plain', 'text/plain']);
        expect(parsed.html).toBeUndefined();
      }
    }
    expect(sink.messages.every((m) => m.to.length === 1)).toBe(true);
    const unowned = await h.t.database.db
      .selectFrom('feed_events')
      .select('id')
      .where('recipient', 'is', null)
      .where('notification_id', 'is not', null)
      .execute();
    expect(unowned).toEqual([]);
  });

  it("Should wait for a recipient's interval before the next notification, and not notify twice", async () => {
    const r = recipients[0]!;
    await h.t.services.feeds.setRecipientSettings(ctx, r.organisationId, { intervalMinutes: 60 });
    await h.t.services.feeds.ingestBuffer(ctx, '2026-11-26-scan_rdp-c.csv', shadowserverCsv([{ ip: `${r.net}.77`, port: 3389 }]), { format: 'shadowserver' });
    const soon = await h.t.services.feeds.notifyDue(ctx);
    expect(soon.notifications.filter((n) => n.recipient === r.abuse)).toEqual([]);
    const later = await h.t.services.feeds.notifyDue(ctx, { now: new Date(Date.now() + 61 * 60_000) });
    expect(later.notifications.filter((n) => n.recipient === r.abuse)).toHaveLength(1);
    const again = await h.t.services.feeds.notifyDue(ctx, { now: new Date(Date.now() + 200 * 60_000) });
    expect(again.notifications.filter((n) => n.recipient === r.abuse)).toEqual([]);
  });

  it("Should thread a recipient's reply into the notification", async () => {
    const analyst = await h.t.createUser(['analyst']);
    const list = await h.t.request(analyst, { url: `/api/v1/feeds/notifications?recipient=${encodeURIComponent(recipients[2]!.abuse)}` });
    const n = list.json().items[0];
    const outbound = await h.t.services.mail.getMessage(ctx, n.mailMessageId);
    await h.sendRaw(
      rfc822(
        {
          From: recipients[2]!.abuse,
          To: INTAKE,
          Subject: `Re: ${outbound.subject}`,
          'Message-ID': '<reply-1@isp2.example>',
          'In-Reply-To': `<${outbound.messageId}>`,
        },
        'Fixed, thanks.',
      ),
      { from: recipients[2]!.abuse },
    );
    const detail = await waitFor(
      async () => (await h.t.request(analyst, { url: `/api/v1/feeds/notifications/${n.id}` })).json(),
      (d) => d.replies.some((m: { direction: string }) => m.direction === 'inbound'),
    );
    expect(detail.events.length).toBeGreaterThan(0);
    expect(detail.events.every((e: { ip: string }) => e.ip.startsWith(`${recipients[2]!.net}.`))).toBe(true);
  });
});
