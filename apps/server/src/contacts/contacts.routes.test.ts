import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '@renkei/contract';
import { expectAccess } from '../testing/access.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { makeKey } from './test-keys.ts';

let t: TestApp;
let coordinator: TestUser;
let analyst: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  coordinator = await t.createUser(['coordinator']);
  analyst = await t.createUser(['analyst']);
});
afterAll(() => t.close());

async function createOrganisation(payload: Record<string, unknown>) {
  const response = await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/organisations', payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; name: string }>();
}

const auditActions = async (targetId: string) =>
  (await t.database.db.selectFrom('audit_log').select('action').where('target_id', '=', targetId).orderBy('seq').execute()).map((row) => row.action);

describe('who may use the directory', () => {
  it('Should let staff read and refuse outside roles and anonymous callers', async () => {
    const org = await createOrganisation({ name: 'Access ISP', kind: 'isp' });
    const readers = [...STAFF_ROLES];
    await expectAccess(t, { url: '/api/v1/contacts/organisations?q=access' }, { allowed: readers });
    await expectAccess(t, { url: `/api/v1/contacts/organisations/${org.id}` }, { allowed: readers, hidden: true });
    const person = (
      await t.request(coordinator, { method: 'POST', url: `/api/v1/contacts/organisations/${org.id}/people`, payload: { name: 'Access Person' } })
    ).json<{ id: string }>();
    await expectAccess(t, { url: `/api/v1/contacts/people/${person.id}` }, { allowed: readers, hidden: true });
    await expectAccess(t, { url: '/api/v1/contacts/keys' }, { allowed: readers });
    await expectAccess(t, { url: '/api/v1/contacts/export/team-directory' }, { allowed: readers });
  });

  it('Should let only coordinators and admins write', async () => {
    const org = await createOrganisation({ name: 'Write ISP', kind: 'isp' });
    const writers = ['admin', 'coordinator'] as const;
    await expectAccess(t, (role) => ({ method: 'POST', url: '/api/v1/contacts/organisations', payload: { name: `Made by ${role}`, kind: 'other' } }), {
      allowed: writers,
    });
    await expectAccess(t, { method: 'PATCH', url: `/api/v1/contacts/organisations/${org.id}`, payload: { notes: 'x' } }, { allowed: writers });
    await expectAccess(t, (role) => ({ method: 'POST', url: `/api/v1/contacts/organisations/${org.id}/people`, payload: { name: `Person ${role}` } }), {
      allowed: writers,
    });
    await expectAccess(
      t,
      (role) => ({
        method: 'POST',
        url: `/api/v1/contacts/organisations/${org.id}/networks`,
        payload: { value: `${role.length}.example-${role.replace('_', '-')}.jp` },
      }),
      { allowed: writers },
    );
    await expectAccess(t, { method: 'POST', url: '/api/v1/contacts/keys', payload: { armored: 'not a key' } }, { allowed: writers });
    await expectAccess(t, { method: 'POST', url: '/api/v1/contacts/import/csv', payload: { csv: 'name,kind\nX,isp\n' } }, { allowed: writers });
    await expectAccess(t, { method: 'POST', url: '/api/v1/contacts/import/team-directory', payload: { teams: [] } }, { allowed: writers });
    await expectAccess(
      t,
      (role) => ({
        method: 'DELETE',
        url: `/api/v1/contacts/organisations/${role === 'admin' || role === 'coordinator' ? '00000000-0000-4000-8000-000000000000' : org.id}`,
      }),
      { allowed: writers },
    );
  });

  it('Should let only admins make or replace the instance key', async () => {
    await expectAccess(t, { method: 'POST', url: '/api/v1/contacts/instance-key', payload: {} }, { allowed: ['admin'] });
  });
});

describe('organisations, people and networks', () => {
  it('Should create a CSIRT with its profile, change it, and audit both', async () => {
    const org = await createOrganisation({
      name: 'Example CERT',
      nameJa: 'エグザンプル CERT',
      kind: 'csirt',
      country: 'JP',
      languages: ['ja', 'en'],
      timeZone: 'Asia/Tokyo',
      tlpCeiling: 'amber+strict',
      pgpPolicy: 'required',
      isNationalCsirt: true,
      csirtProfile: { shortTeamName: 'EX-CERT', certTypes: ['national'], mission: { en: 'Coordinate.', ja: '調整する。' }, memberOf: ['FIRST', 'APCERT'] },
    });
    const patched = await t.request(coordinator, {
      method: 'PATCH',
      url: `/api/v1/contacts/organisations/${org.id}`,
      payload: { contactConfirmedAt: '2026-11-01T00:00:00Z', preferredFormat: 'csv' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      preferredFormat: 'csv',
      tlpCeiling: 'amber+strict',
      isNationalCsirt: true,
      contactConfirmedAt: '2026-11-01T00:00:00.000Z',
      csirtProfile: { shortTeamName: 'EX-CERT' },
    });
    expect(await auditActions(org.id)).toEqual(['organisation.create', 'organisation.update']);
    const national = await t.database.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'csirt')
      .where('is_national_csirt', '=', true)
      .where('country', '=', 'JP')
      .execute();
    expect(national.map((row) => row.id)).toContain(org.id);
  });

  it('Should refuse bad values: a national CSIRT without a country, an unknown time zone, a script URL, unknown fields, a name with a line break', async () => {
    const cases = [
      { name: 'N', kind: 'csirt', isNationalCsirt: true },
      { name: 'N', kind: 'isp', country: 'JP', isNationalCsirt: true },
      { name: 'N', kind: 'isp', timeZone: 'Mars/Olympus' },
      { name: 'N', kind: 'isp', website: 'javascript:alert(1)' },
      { name: 'N', kind: 'isp', country: 'jp' },
      { name: 'N', kind: 'isp', tlpCeiling: 'TLP:PURPLE' },
      { name: 'N', kind: 'csirt', csirtProfile: { websites: ['javascript:alert(1)'] } },
      { name: 'N', kind: 'csirt', csirtProfile: { unknownField: 1 } },
      { name: 'N', kind: 'isp', isSelf: true },
      { name: '', kind: 'isp' },
      // Names go into mail headers and salutations: no line breaks or other control characters.
      { name: 'Team\r\nBcc: victim@evil.example', kind: 'isp' },
      { name: 'N', nameJa: 'チーム\nReply-To: x@evil.example', kind: 'isp' },
      { name: 'N\u0000', kind: 'isp' },
    ];
    for (const payload of cases) {
      const response = await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/organisations', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('Should keep people with emergency numbers and role addresses, and networks in canonical form', async () => {
    const org = await createOrganisation({ name: 'Example Hosting', nameJa: '例ホスティング', kind: 'isp', contactEmail: 'NOC@Hosting.example' });
    const person = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/contacts/organisations/${org.id}/people`,
      payload: { name: 'Abuse desk', email: 'Abuse@Hosting.example', isRoleAddress: true, phone: '+81-3-0000-0000', emergencyPhone: '+81-90-0000-0000' },
    });
    expect(person.statusCode, person.body).toBe(201);
    expect(person.json()).toMatchObject({ email: 'abuse@hosting.example', isRoleAddress: true, emergencyPhone: '+81-90-0000-0000' });
    for (const value of ['AS64500', '192.0.2.0/24', '2001:DB8:0::/32', 'Hosting.Example']) {
      const response = await t.request(coordinator, {
        method: 'POST',
        url: `/api/v1/contacts/organisations/${org.id}/networks`,
        payload: { value, abuseEmail: 'abuse@hosting.example' },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    const duplicate = await t.request(coordinator, { method: 'POST', url: `/api/v1/contacts/organisations/${org.id}/networks`, payload: { value: 'as64500' } });
    expect(duplicate.statusCode).toBe(409);
    const hostBits = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/contacts/organisations/${org.id}/networks`,
      payload: { value: '192.0.2.1/24' },
    });
    expect(hostBits.statusCode).toBe(400);
    expect(hostBits.json().error.message).toContain('192.0.2.0/24');
    const detail = (await t.request(analyst, { url: `/api/v1/contacts/organisations/${org.id}` })).json();
    expect(detail.networks.map((n: { kind: string; value: string }) => `${n.kind} ${n.value}`)).toEqual([
      'asn 64500',
      'domain hosting.example',
      'ipv4 192.0.2.0/24',
      'ipv6 2001:db8::/32',
    ]);
    expect(detail.people).toHaveLength(1);
    expect(detail.organisation.contactEmail).toBe('noc@hosting.example');
  });

  it('Should find organisations by name in either language, AS number, IP address, prefix, domain, subdomain and e-mail', async () => {
    const search = async (q: string) => {
      const response = await t.request(analyst, { url: `/api/v1/contacts/organisations?q=${encodeURIComponent(q)}` });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().items as { name: string; matched: string | null }[]).map((item) => `${item.name}|${item.matched ?? ''}`);
    };
    expect(await search('hosting')).toEqual(['Example Hosting|']);
    expect(await search('例ホスティング')).toEqual(['Example Hosting|']);
    expect(await search('AS64500')).toEqual(['Example Hosting|asn 64500']);
    expect(await search('192.0.2.77')).toEqual(['Example Hosting|ipv4 192.0.2.0/24']);
    expect(await search('2001:db8:1::5')).toEqual(['Example Hosting|ipv6 2001:db8::/32']);
    expect(await search('192.0.2.128/25')).toEqual(['Example Hosting|ipv4 192.0.2.0/24']);
    expect(await search('www.hosting.example')).toEqual(['Example Hosting|domain hosting.example']);
    expect(await search('abuse@hosting.example')).toEqual(['Example Hosting|domain hosting.example']);
    expect(await search('198.51.100.1')).toEqual([]);
    expect(await search("%' OR 1=1 --")).toEqual([]);
    expect(await search('_')).toEqual([]);
  });

  it('Should page and filter by kind and country', async () => {
    const response = await t.request(analyst, { url: '/api/v1/contacts/organisations?kind=csirt&country=JP&limit=1' });
    expect(response.json()).toMatchObject({ total: 1, nextOffset: null, items: [{ name: 'Example CERT', isNationalCsirt: true }] });
  });

  it('Should not delete the own team or an organisation with user accounts, and delete others with their people', async () => {
    expect((await t.request(coordinator, { method: 'DELETE', url: `/api/v1/contacts/organisations/${t.selfOrganisationId}` })).statusCode).toBe(409);
    const org = await createOrganisation({ name: 'Short-lived', kind: 'other' });
    await t.request(coordinator, { method: 'POST', url: `/api/v1/contacts/organisations/${org.id}/people`, payload: { name: 'Someone' } });
    expect((await t.request(coordinator, { method: 'DELETE', url: `/api/v1/contacts/organisations/${org.id}` })).statusCode).toBe(204);
    expect(await t.database.db.selectFrom('people').select('id').where('organisation_id', '=', org.id).execute()).toEqual([]);
    expect(await auditActions(org.id)).toEqual(['organisation.create', 'organisation.delete']);
  });
});

describe('PGP keys', () => {
  it("Should import keys onto a person and show each one's health against that person's address", async () => {
    const org = await createOrganisation({ name: 'Key Vendor', kind: 'vendor', contactEmail: 'psirt@vendor.example', pgpPolicy: 'required' });
    const person = (
      await t.request(coordinator, {
        method: 'POST',
        url: `/api/v1/contacts/organisations/${org.id}/people`,
        payload: { name: 'PSIRT', email: 'psirt@vendor.example', isRoleAddress: true },
      })
    ).json();
    const good = await makeKey({ email: 'psirt@vendor.example' });
    const soon = await makeKey({ email: 'psirt@vendor.example', expiresInDays: 10 });
    const expired = await makeKey({ email: 'psirt@vendor.example', createdDaysAgo: 60, expiresInDays: -1 });
    const revoked = await makeKey({ email: 'psirt@vendor.example', revoked: true });
    const wrong = await makeKey({ email: 'someone@elsewhere.example' });
    const response = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/contacts/keys',
      payload: { armored: [good, soon, expired, revoked, wrong].map((k) => k.publicArmored).join('\n'), personId: person.id },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ created: 5, updated: 0 });
    const byFingerprint = new Map(
      (response.json().keys as { fingerprint: string; warnings: string[]; organisationId: string }[]).map((k) => [k.fingerprint, k]),
    );
    expect(byFingerprint.get(good.fingerprint)).toMatchObject({ warnings: [], organisationId: org.id });
    expect(byFingerprint.get(soon.fingerprint)!.warnings).toEqual(['expires_soon']);
    expect(byFingerprint.get(expired.fingerprint)!.warnings).toEqual(['expired']);
    expect(byFingerprint.get(revoked.fingerprint)!.warnings).toEqual(['revoked']);
    expect(byFingerprint.get(wrong.fingerprint)!.warnings).toEqual(['address_mismatch']);
    const unhealthy = (await t.request(analyst, { url: `/api/v1/contacts/keys?unhealthy=true&organisationId=${org.id}` })).json<{ fingerprint: string }[]>();
    expect(unhealthy.map((k) => k.fingerprint).sort()).toEqual([soon, expired, revoked, wrong].map((k) => k.fingerprint).sort());
    const rows = await t.database.db
      .selectFrom('pgp_keys')
      .select(['fingerprint'])
      .where(sql<boolean>`emails @> ARRAY[${'psirt@vendor.example'}]::text[]`)
      .execute();
    expect(rows).toHaveLength(4);
    const detail = (await t.request(analyst, { url: `/api/v1/contacts/organisations/${org.id}` })).json();
    expect(detail.keys).toHaveLength(5);

    const personDetail = await t.request(analyst, { url: `/api/v1/contacts/people/${person.id}` });
    expect(personDetail.statusCode, personDetail.body).toBe(200);
    const read = personDetail.json();
    expect(read.person).toMatchObject({ id: person.id, email: 'psirt@vendor.example', isRoleAddress: true });
    expect(read.organisation).toMatchObject({ id: org.id, name: 'Key Vendor' });
    expect(read.keys).toHaveLength(5);
    expect(read.keys.every((k: { armored: string }) => !k.armored.includes('PRIVATE'))).toBe(true);
    expect(read.deliveryStatus).toEqual([]);
    const missing = await t.request(analyst, { url: '/api/v1/contacts/people/00000000-0000-4000-8000-000000000000' });
    expect(missing.statusCode).toBe(404);
  });

  it('Should refresh a key imported again, never undoing its revocation', async () => {
    const key = await makeKey({ email: 'refresh@vendor.example' });
    const first = await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/keys', payload: { armored: key.publicArmored } });
    expect(first.json()).toMatchObject({ created: 1 });
    await t.database.db
      .updateTable('pgp_keys')
      .set({ revoked_at: new Date('2026-01-01T00:00:00Z') })
      .where('fingerprint', '=', key.fingerprint)
      .execute();
    const again = await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/keys', payload: { armored: key.publicArmored } });
    expect(again.json()).toMatchObject({ created: 0, updated: 1, keys: [{ revokedAt: '2026-01-01T00:00:00.000Z', warnings: ['revoked'] }] });
  });

  it('Should refuse a private key and store nothing of it', async () => {
    const key = await makeKey({ email: 'oops@vendor.example' });
    const response = await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/keys', payload: { armored: key.privateArmored } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('private_key_refused');
    expect(await t.database.db.selectFrom('pgp_keys').select('id').where('fingerprint', '=', key.fingerprint).execute()).toEqual([]);
    const audit = await t.database.db.selectFrom('audit_log').select(['after']).execute();
    expect(JSON.stringify(audit)).not.toContain('PRIVATE KEY');
  });

  it('Should refuse an oversized body and an unknown person', async () => {
    const huge = await t.request(coordinator, { method: 'POST', url: '/api/v1/contacts/keys', payload: { armored: 'A'.repeat(300 * 1024) } });
    expect(huge.statusCode).toBe(400);
    const key = await makeKey({ email: 'x@vendor.example' });
    const unknown = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/contacts/keys',
      payload: { armored: key.publicArmored, personId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('the instance key', () => {
  it('Should make the key once, show only its public part, and replace it with a revocation when asked', async () => {
    const admin = await t.createUser(['admin']);
    const made = await t.request(admin, { method: 'POST', url: '/api/v1/contacts/instance-key', payload: {} });
    expect(made.statusCode, made.body).toBe(200);
    const again = await t.request(admin, { method: 'POST', url: '/api/v1/contacts/instance-key', payload: {} });
    expect(again.json()).toEqual({ created: false, fingerprint: made.json().fingerprint });
    const shown = await t.request(analyst, { url: '/api/v1/contacts/instance-key' });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toContain('PRIVATE');
    expect(shown.json()).toMatchObject({ fingerprint: made.json().fingerprint, protected: false });
    const listed = await t.request(analyst, { url: '/api/v1/contacts/keys' });
    expect(listed.body).not.toContain(made.json().fingerprint);
    const replaced = await t.request(admin, { method: 'POST', url: '/api/v1/contacts/instance-key', payload: { replace: true } });
    expect(replaced.json().created).toBe(true);
    const old = await t.database.db
      .selectFrom('pgp_keys')
      .select(['revoked_at', 'private_armored'])
      .where('fingerprint', '=', made.json().fingerprint)
      .executeTakeFirstOrThrow();
    expect(old.revoked_at).toBeInstanceOf(Date);
    expect(old.private_armored).toBeNull();
  });
});
