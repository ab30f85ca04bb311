import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { makeKey } from './test-keys.ts';

let t: TestApp;
let coordinator: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  coordinator = await t.createUser(['coordinator']);
});
afterAll(() => t.close());

const importCsv = (csv: string, commit = false) => t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/import/csv', payload: { csv, commit } });
const importTeams = (teams: unknown, commit = false) =>
  t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/import/team-directory', payload: { teams, commit } });
const count = async () =>
  (
    await t.database.db
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

describe('CSV import', () => {
  const csv = [
    'name,name_ja,kind,country,contact_email,languages,tlp_ceiling,pgp_policy,networks,abuse_email',
    'Example ISP,例 ISP,isp,JP,NOC@isp.example,ja en,TLP:GREEN,preferred,AS64500 192.0.2.0/24;2001:db8::/32 isp.example,abuse@isp.example',
    '"Quoted, Hosting",,isp,JP,,,amber,never,198.51.100.0/24,',
    'Bad Row,,isp,Japan,,,,,192.0.2.1/24 AS-1,',
    'No Kind,,,,,,,,,',
    'Example ISP,,isp,JP,,,,,,',
  ].join('\n');

  it('Should report per line what a dry run would create, update or reject and why, changing nothing', async () => {
    const before = await count();
    const response = await importCsv(csv);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ committed: false, created: 2, updated: 0, rejected: 3 });
    expect(report.lines[0]).toMatchObject({ line: 2, action: 'create', name: 'Example ISP' });
    expect(report.lines[0].changes).toEqual(
      expect.arrayContaining(['name', 'tlpCeiling', '+asn 64500', '+ipv4 192.0.2.0/24', '+ipv6 2001:db8::/32', '+domain isp.example']),
    );
    expect(report.lines[2].errors.join(' ')).toMatch(/country/);
    expect(report.lines[2].errors.join(' ')).toMatch(/192\.0\.2\.0\/24/);
    expect(report.lines[2].errors.join(' ')).toMatch(/AS-1/);
    expect(report.lines[3].errors.join(' ')).toMatch(/kind is required/);
    expect(report.lines[4].errors.join(' ')).toMatch(/also on line 2/);
    expect(await count()).toBe(before);
  });

  it('Should commit the valid lines with their networks, then report a second run as updates with nothing to change', async () => {
    const committed = (await importCsv(csv, true)).json();
    expect(committed).toMatchObject({ committed: true, created: 2, rejected: 3 });
    const isp = await t.database.db.selectFrom('organisations').selectAll().where('name', '=', 'Example ISP').executeTakeFirstOrThrow();
    expect(isp).toMatchObject({ name_ja: '例 ISP', contact_email: 'noc@isp.example', languages: ['ja', 'en'], tlp_ceiling: 'green' });
    const networks = await t.database.db
      .selectFrom('organisation_networks')
      .select(['kind', 'value', 'abuse_email'])
      .where('organisation_id', '=', isp.id)
      .orderBy('value')
      .execute();
    expect(networks).toHaveLength(4);
    expect(networks.every((n) => n.abuse_email === 'abuse@isp.example')).toBe(true);
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('target_id', '=', isp.id).execute();
    expect(audit.map((a) => a.action)).toContain('organisation.create.csv');
    const again = (await importCsv(csv.split('\n').slice(0, 3).join('\n'))).json();
    expect(again).toMatchObject({ created: 0, updated: 2, rejected: 0 });
    expect(again.lines.map((l: { changes: string[] }) => l.changes)).toEqual([[], []]);
  });

  it('Should update by id, and refuse an unknown id or the own team', async () => {
    const isp = await t.database.db.selectFrom('organisations').select('id').where('name', '=', 'Example ISP').executeTakeFirstOrThrow();
    const report = (await importCsv(`id,notes\n${isp.id},Checked by phone\n00000000-0000-4000-8000-000000000000,x\n${t.selfOrganisationId},x\n`, true)).json();
    expect(report.lines.map((l: { action: string }) => l.action)).toEqual(['update', 'reject', 'reject']);
    expect(report.lines[0].changes).toEqual(['notes']);
  });

  it('Should refuse hostile files with a clear message and store nothing', async () => {
    const before = await count();
    const cases: [string, RegExp][] = [
      ['name,kind,evil_column\nX,isp,1\n', /Unknown column/],
      ['kind\nisp\n', /needs a "name" column/],
      ['name,name\nX,Y\n', /appears twice/],
      ['name,kind\n"unterminated,isp\n', /never closed/],
      ['name,kind\nX\u0000,isp\n', /NUL/],
      [`name,kind\n${'X,isp\n'.repeat(5001)}`, /More than 5000 rows/],
      [`name,kind\n"${'x'.repeat(30_000)}",isp\n`, /longer than/],
    ];
    for (const [text, message] of cases) {
      const response = await importCsv(text, true);
      expect(response.statusCode, text.slice(0, 40)).toBe(400);
      expect(response.json().error.message).toMatch(message);
    }
    const rows = (
      await importCsv('name,kind,website,notes\n=cmd|calc,isp,javascript:alert(1),<script>alert(1)</script>\n"<img src=x>",vendor,,\n', true)
    ).json();
    expect(rows.lines[0]).toMatchObject({ action: 'reject' });
    expect(rows.lines[0].errors.join(' ')).toMatch(/website/);
    expect(rows.lines[1]).toMatchObject({ action: 'create' });
    expect(await count()).toBe(before + 1);
  });
});

describe('FIRST team-directory JSON', () => {
  const circl = {
    'short-team-name': 'CIRCL',
    'official-team-name': 'CIRCL - Computer Incident Response Center Luxembourg',
    'postal-address': '41, avenue de la gare\r\nL-1611 Luxembourg',
    'country-code': ['LU'],
    website: ['https://www.circl.lu/'],
    email: 'info@circl.lu',
    host: 'security made in Lëtzebuerg (SMILE) g.i.e.',
    establishment: '2008-01-05',
    'phone-numbers': ['+352-247-88-444'],
    enckeys: ['0xCA572205C0024E06BA70BE89EAADCFFC22BD4CD5'],
    'operating-hours-freetext': 'Monday to Friday 9:00-17:00 CET',
    'operating-hours': { mon_1_open: '09:00' },
    constituency: 'Government, Private and Public sectors',
    'constituency-code': '008',
    'constituency-description': 'CIRCL is the CERT for the private sector of Luxembourg.',
    '-first-member-type': 'Full Member',
    'last-modified': '2015-06-03T14:05:27+00:00',
    'cert-type': ['publicly-funded', 'national', 'not-a-type'],
    languages: ['eng', 'fre', 'ger', 'lb'],
    'team-members': [{ name: 'Someone' }],
  };

  it('Should import the FIRST example team as a national CSIRT with its profile, in a dry run then a commit', async () => {
    const dry = (await importTeams({ status: 'OK', data: [circl] })).json();
    expect(dry).toMatchObject({ committed: false, created: 1, rejected: 0 });
    const committed = (await importTeams([circl], true)).json();
    expect(committed).toMatchObject({ committed: true, created: 1 });
    const org = await t.database.db.selectFrom('organisations').selectAll().where('name', '=', 'CIRCL').executeTakeFirstOrThrow();
    expect(org).toMatchObject({
      kind: 'csirt',
      country: 'LU',
      is_national_csirt: true,
      contact_email: 'info@circl.lu',
      languages: ['en', 'fr', 'de', 'lb'],
      website: 'https://www.circl.lu/',
    });
    expect(org.csirt_profile).toMatchObject({
      officialTeamName: circl['official-team-name'],
      certTypes: ['publicly-funded', 'national'],
      operatingHours: { en: 'Monday to Friday 9:00-17:00 CET' },
      firstMemberType: 'Full Member',
    });
  });

  it('Should export CSIRTs as team-directory JSON that imports again with nothing to change', async () => {
    const org = await t.database.db.selectFrom('organisations').select('id').where('name', '=', 'CIRCL').executeTakeFirstOrThrow();
    const key = await makeKey({ email: 'info@circl.lu' });
    await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/keys', payload: { armored: key.publicArmored, organisationId: org.id } });
    const exported = await t.request(coordinator, { url: '/api/v1/contacts/export/team-directory' });
    expect(exported.statusCode).toBe(200);
    const team = exported.json<Record<string, unknown>[]>().find((entry) => entry['short-team-name'] === 'CIRCL')!;
    expect(team).toMatchObject({ 'country-code': 'LU', email: 'info@circl.lu', 'cert-type': ['publicly-funded', 'national'], 'source-name': 'Renkei' });
    expect(team.enckeys).toEqual(['0xCA572205C0024E06BA70BE89EAADCFFC22BD4CD5', `0x${key.fingerprint}`]);
    const reimport = (await importTeams([{ ...team, enckeys: ['0xCA572205C0024E06BA70BE89EAADCFFC22BD4CD5'] }])).json();
    expect(reimport).toMatchObject({ updated: 1, created: 0 });
    expect(reimport.lines[0].changes).toEqual([]);
  });

  it('Should reject malformed teams one by one and refuse documents of the wrong shape', async () => {
    const report = (
      await importTeams([
        null,
        'CIRCL',
        { email: 'x@y.example' },
        { 'short-team-name': 42 },
        { 'short-team-name': 'X', website: ['javascript:alert(1)'] },
        { 'short-team-name': 'Y', 'country-code': 'Luxembourg' },
        { 'short-team-name': 'Z'.repeat(5000) },
      ])
    ).json();
    expect(report.lines.map((l: { action: string }) => l.action)).toEqual(['reject', 'reject', 'reject', 'reject', 'reject', 'reject', 'reject']);
    expect((await importTeams(42)).statusCode).toBe(400);
    expect((await importTeams({ data: 'x' })).statusCode).toBe(200);
    const polluted = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/contacts/import/team-directory',
      headers: { 'content-type': 'application/json' },
      payload: '{"teams":[{"short-team-name":"P","__proto__":{"isAdmin":true}}],"commit":true}',
    });
    expect(polluted.statusCode).toBe(400);
    const tooMany = (await importTeams(Array.from({ length: 5001 }, () => ({})))).json();
    expect(tooMany.error.code).toBe('team_directory_too_large');
  });
});
