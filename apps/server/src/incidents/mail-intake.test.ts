import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../policy/actor.ts';
import { INTAKE, type MailHarness, type TestKey, insertDirectoryKey, makeKey, rfc822, startMailHarness, startSink, waitFor } from '../mail/mail-test-kit.ts';
import type { TestUser } from '../testing/test-app.ts';

let h: MailHarness;
let sink: Awaited<ReturnType<typeof startSink>>;
let analyst: TestUser;
let instance: TestKey;

beforeAll(async () => {
  sink = await startSink();
  h = await startMailHarness({ RENKEI_SMTP_RELAY: sink.url });
  analyst = await h.t.createUser(['analyst']);
  instance = await makeKey(INTAKE);
  await insertDirectoryKey(h.t.database, instance, { email: INTAKE, instance: true });
  await h.t.services.jobs.startWorker({ concurrency: 2 });
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

const reportByMessage = (subject: string) =>
  waitFor(
    () =>
      h.t.database.db
        .selectFrom('reports as r')
        .innerJoin('mail_messages as m', 'm.id', 'r.mail_message_id')
        .select(['r.id', 'r.reference', 'r.channel', 'r.reporter_email', 'r.reporter_language', 'r.raw_sha256', 'm.raw_sha256 as mail_sha'])
        .where('m.subject', '=', subject)
        .executeTakeFirst(),
    (row) => row !== undefined,
  );

describe('reports by e-mail', () => {
  it('Should turn a message to the intake address into a report with its observables (defanged too)', async () => {
    const subject = 'フィッシングサイトの報告';
    await h.sendRaw(
      rfc822(
        { From: '山田 <yamada@example.jp>', To: INTAKE, Subject: subject, 'Content-Type': 'text/plain; charset=utf-8' },
        '次のURLは銀行を装っています: hxxps://fake-bank[.]example/login\nIP: 198.51.100.23\n',
      ),
    );
    const report = (await reportByMessage(subject))!;
    expect(report).toMatchObject({ channel: 'email', reporter_email: 'yamada@example.jp', reporter_language: 'ja' });
    expect(report.raw_sha256).toBe(report.mail_sha);
    const observables = await h.t.database.db.selectFrom('observables').select(['kind', 'value']).where('report_id', '=', report.id).orderBy('kind').execute();
    expect(observables.map((o) => `${o.kind} ${o.value}`)).toEqual(['domain fake-bank.example', 'ip 198.51.100.23', 'url https://fake-bank.example/login']);
  });
});

describe('coordination by mail', () => {
  it('Should send the coordination mail in its own thread, thread the party’s reply back, and acknowledge it', async () => {
    const created = await h.t.services.incidents.createReport(systemContext('test'), {
      channel: 'api',
      title: 'Phishing',
      category: 'phishing',
      observables: ['http://phish.example/'],
    });
    const incident = await h.t.services.incidents.createIncident(systemContext('test'), { reportIds: [created.report.id] });
    const coordination = (
      await h.t.request(analyst, {
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/coordinations`,
        payload: { role: 'isp', contactEmail: 'abuse@hosting.example', language: 'ja' },
      })
    ).json();
    const sent = await h.t.request(analyst, {
      method: 'POST',
      url: `/api/v1/coordinations/${coordination.id}/messages`,
      payload: { subject: 'フィッシングサイトの停止依頼', text: 'http://phish.example/ の停止をお願いします。' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ state: 'sent' });
    const relayed = await waitFor(
      async () => sink.messages.find((m) => m.to.includes('abuse@hosting.example')),
      (m) => m !== undefined,
    );
    const raw = relayed!.raw.toString('utf8');
    const messageId = /^Message-ID:\s*<([^>]+)>/im.exec(raw)![1]!;
    expect(raw).toMatch(/^Subject:/m);

    await h.sendRaw(
      rfc822(
        {
          From: 'abuse@hosting.example',
          To: INTAKE,
          Subject: `Re: [TLP:AMBER] [${coordination.threadKey}] takedown`,
          'In-Reply-To': `<${messageId}>`,
          'Content-Type': 'text/plain; charset=utf-8',
        },
        '対応しました。',
      ),
      { from: 'abuse@hosting.example' },
    );
    const acknowledged = await waitFor(
      async () => (await h.t.request(analyst, { url: `/api/v1/coordinations/${coordination.id}` })).json(),
      (c) => c.state === 'acknowledged',
    );
    expect(acknowledged.nextReminderAt).toBeNull();
    const timeline = (await h.t.request(analyst, { url: `/api/v1/incidents/${incident.id}/timeline` })).json();
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'report_linked',
      'coordination_created',
      'message_out',
      'coordination_state',
      'message_in',
      'coordination_state',
    ]);
    // The reply is no new report.
    const reports = await h.t.database.db.selectFrom('reports').select('id').where('title', 'like', '%takedown%').execute();
    expect(reports).toEqual([]);
  });

  it('Should remind a silent party, then mark it no_response and draft an escalation to its national CSIRT', async () => {
    const db = h.t.database.db;
    const csirt = await db
      .insertInto('organisations')
      .values({
        name: 'Exampleland CERT',
        name_ja: null,
        kind: 'csirt',
        country: 'US',
        is_national_csirt: true,
        contact_email: 'cert@national.example',
        contact_phone: null,
        website: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const isp = await db
      .insertInto('organisations')
      .values({
        name: 'Foreign Hosting',
        name_ja: null,
        kind: 'isp',
        country: 'US',
        contact_email: 'abuse@foreign.example',
        contact_phone: null,
        website: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('organisation_networks')
      .values({ organisation_id: isp.id, kind: 'ipv4', value: '203.0.113.0/24', abuse_email: 'abuse@foreign.example' })
      .execute();
    const created = await h.t.services.incidents.createReport(systemContext('test'), {
      channel: 'api',
      title: 'Phishing abroad',
      category: 'phishing',
      observables: ['http://203.0.113.80/login'],
    });
    const incident = await h.t.services.incidents.createIncident(systemContext('test'), { reportIds: [created.report.id] });
    const parties = (await h.t.request(analyst, { url: `/api/v1/incidents/${incident.id}/parties` })).json();
    expect(parties).toContainEqual(expect.objectContaining({ role: 'isp', organisationId: isp.id }));
    const coordination = (
      await h.t.request(analyst, { method: 'POST', url: `/api/v1/incidents/${incident.id}/coordinations`, payload: { role: 'isp', organisationId: isp.id } })
    ).json();
    expect(coordination).toMatchObject({ contactEmail: 'abuse@foreign.example', country: 'US' });
    await h.t.request(analyst, {
      method: 'POST',
      url: `/api/v1/coordinations/${coordination.id}/messages`,
      payload: { subject: 'Takedown request', text: 'Please take it down.' },
    });

    // Three reminder rounds, each after the reminder time has passed: two reminders, then silence.
    for (let round = 0; round < 3; round++) {
      await db
        .updateTable('coordinations')
        .set({ next_reminder_at: new Date(Date.now() - 1000) })
        .where('id', '=', coordination.id)
        .execute();
      await h.t.services.incidents.runReminders();
    }
    const after = (await h.t.request(analyst, { url: `/api/v1/incidents/${incident.id}/coordinations` })).json();
    expect(after.map((c: { state: string; role: string }) => `${c.role} ${c.state}`)).toEqual(['isp no_response', 'foreign_csirt drafted']);
    expect(after[1]).toMatchObject({
      organisationId: csirt.id,
      escalatedFrom: coordination.id,
      contactEmail: 'cert@national.example',
      threadKey: `${incident.reference}-C2`,
    });
    const kinds = (await h.t.request(analyst, { url: `/api/v1/incidents/${incident.id}/timeline` })).json().map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'reminder')).toHaveLength(2);
    expect(kinds.slice(-3)).toEqual(['coordination_state', 'coordination_created', 'escalated']);
    await waitFor(
      async () => sink.messages.filter((m) => m.to.includes('abuse@foreign.example')).length,
      (n) => n === 3,
    );
  });
});
