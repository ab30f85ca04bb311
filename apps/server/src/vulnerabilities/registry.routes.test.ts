import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES, type Role, type VendorProduct, type VendorProposalList } from '@renkei/contract';
import { systemContext } from '../policy/actor.ts';
import { expectAccess } from '../testing/access.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let coordinator: TestUser;
let acme: { organisationId: string; user: TestUser };
let globex: { organisationId: string; user: TestUser };
const HANDLERS: Role[] = ['admin', 'coordinator', 'analyst'];
const system = systemContext('test');

beforeAll(async () => {
  // Accepting a report tells the finder through the outbox: a loopback relay, the instance key and the job worker.
  harness = await startCaseHarness();
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  acme = await outsideOrganisationWithUser(t, 'Acme Networks');
  globex = await outsideOrganisationWithUser(t, 'Globex Software');
});
afterAll(async () => harness.close());

const addProduct = async (user: TestUser, payload: Record<string, unknown>) => t.request(user, { method: 'POST', url: '/api/v1/vendor-products', payload });

describe('the product-developer registry', () => {
  it('adds a product with normalised CPEs and package URLs, and refuses a bad entry by naming it', async () => {
    const created = await addProduct(coordinator, {
      organisationId: acme.organisationId,
      name: 'Acme Router OS',
      aliases: ['RouterOS', 'RouterOS'],
      cpes: ['cpe:2.3:o:Acme:router_os:*:*:*:*:*:*:*:*', 'cpe:/o:acme:router_os'],
      purls: ['pkg:pypi/Acme_Router.Client'],
      keywords: ['ルーター', 'router'],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<VendorProduct>()).toMatchObject({
      vendorName: 'Acme Networks',
      aliases: ['RouterOS'],
      cpes: ['cpe:2.3:o:acme:router_os:*:*:*:*:*:*:*:*'],
      purls: ['pkg:pypi/acme-router-client'],
    });
    const badCpe = await addProduct(coordinator, {
      organisationId: acme.organisationId,
      name: 'Bad',
      cpes: ['cpe:2.3:a:acme:ok:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme'],
    });
    expect(badCpe.statusCode).toBe(400);
    expect(badCpe.json()).toMatchObject({ error: { code: 'invalid_cpe', message: expect.stringContaining('cpes[1] "cpe:2.3:a:acme"') } });
    const badPurl = await addProduct(coordinator, { organisationId: acme.organisationId, name: 'Bad', purls: ['npm/left-pad'] });
    expect(badPurl.json()).toMatchObject({ error: { code: 'invalid_purl', message: expect.stringContaining('purls[0]') } });
    const duplicate = await addProduct(coordinator, { organisationId: acme.organisationId, name: 'Acme Router OS' });
    expect(duplicate.statusCode).toBe(409);
  });

  it('refuses hostile input with a clear 400 and keeps markup as text', async () => {
    const hostile = [
      { name: 'Many', cpes: Array.from({ length: 201 }, (_, i) => `cpe:2.3:a:acme:p${i}:*:*:*:*:*:*:*:*`) },
      { name: 'Long', cpes: [`cpe:2.3:a:acme:${'a'.repeat(2000)}:*:*:*:*:*:*:*:*`] },
      { name: 'Wild', cpes: ['cpe:2.3:a:acme:pro*duct:*:*:*:*:*:*:*:*'] },
      { name: 'Nul\u0000', cpes: [] },
      { name: '', cpes: [] },
      { name: 'Extra', admin: true },
      { name: 'Purl', purls: ['pkg:'] },
    ];
    for (const payload of hostile) {
      const response = await addProduct(coordinator, { organisationId: acme.organisationId, ...payload });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(5);
    }
    const markup = await addProduct(coordinator, { organisationId: globex.organisationId, name: '<img src=x onerror=alert(1)>' });
    expect(markup.statusCode).toBe(201);
    expect(markup.headers['content-type']).toContain('application/json');
    expect(markup.json<VendorProduct>().name).toBe('<img src=x onerror=alert(1)>');
  });

  it("lets a vendor's user keep its own organisation's products and nobody else's (404 for others')", async () => {
    const own = await addProduct(acme.user, { name: 'Acme Switch', keywords: ['switch'] });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json<VendorProduct>().organisationId).toBe(acme.organisationId);
    const theirs = await addProduct(coordinator, { organisationId: globex.organisationId, name: 'Globex Widget Server' });
    const theirsId = theirs.json<VendorProduct>().id;
    const forOther = await addProduct(acme.user, { organisationId: globex.organisationId, name: 'Planted' });
    expect(forOther.statusCode).toBe(404);

    const list = await t.request(acme.user, { url: '/api/v1/vendor-products?limit=500' });
    const items = list.json<{ items: VendorProduct[] }>().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p.organisationId === acme.organisationId)).toBe(true);
    for (const request of [
      { url: `/api/v1/vendor-products/${theirsId}` },
      { method: 'PATCH' as const, url: `/api/v1/vendor-products/${theirsId}`, payload: { name: 'Hijacked' } },
      { method: 'DELETE' as const, url: `/api/v1/vendor-products/${theirsId}` },
    ]) {
      expect((await t.request(acme.user, request)).statusCode, request.method ?? 'GET').toBe(404);
    }
    const renamed = await t.request(acme.user, {
      method: 'PATCH',
      url: `/api/v1/vendor-products/${own.json<VendorProduct>().id}`,
      payload: { name: 'Acme Switch Pro', cpes: ['cpe:2.3:h:acme:switch_pro:-:*:*:*:*:*:*:*'] },
    });
    expect(renamed.json()).toMatchObject({ name: 'Acme Switch Pro', cpes: ['cpe:2.3:h:acme:switch_pro:-:*:*:*:*:*:*:*'], keywords: ['switch'] });
    const clash = await t.request(acme.user, {
      method: 'PATCH',
      url: `/api/v1/vendor-products/${own.json<VendorProduct>().id}`,
      payload: { name: 'Acme Router OS' },
    });
    expect(clash.statusCode).toBe(409);
    const removed = await t.request(acme.user, { method: 'DELETE', url: `/api/v1/vendor-products/${own.json<VendorProduct>().id}` });
    expect(removed.statusCode).toBe(204);
    expect((await t.request(coordinator, { url: `/api/v1/vendor-products/${theirsId}` })).json<VendorProduct>().name).toBe('Globex Widget Server');
  });

  it('answers who may read and change the registry', async () => {
    const product = (await addProduct(coordinator, { organisationId: globex.organisationId, name: 'Access Product' })).json<VendorProduct>();
    await expectAccess(t, { url: '/api/v1/vendor-products' }, { allowed: [...STAFF_ROLES, 'vendor_user'] });
    await expectAccess(t, { url: `/api/v1/vendor-products/${product.id}` }, { allowed: STAFF_ROLES, hidden: true });
    let n = 0;
    await expectAccess(
      t,
      (role) => ({
        method: 'POST',
        url: '/api/v1/vendor-products',
        // A vendor's user adds to its own organisation; the team names the vendor.
        payload: role === 'vendor_user' ? { name: `Own ${n++}` } : { organisationId: globex.organisationId, name: `By ${role} ${n++}` },
      }),
      { allowed: [...HANDLERS, 'vendor_user'] },
    );
  });
});

describe('vendor proposals for a case', () => {
  it('proposes vendors with scores and reasons from the report, leaves out vendors on the case, and reuses the compiled registry', async () => {
    await addProduct(coordinator, {
      organisationId: globex.organisationId,
      name: 'Widget Server',
      cpes: ['cpe:2.3:a:globex:widget_server:*:*:*:*:*:*:*:*'],
      keywords: ['widget'],
    });
    const { caseId } = await openCase(t, coordinator, 'Widget Server');
    const proposals = await t.request(coordinator, { url: `/api/v1/cases/${caseId}/vendor-proposals` });
    expect(proposals.statusCode, proposals.body).toBe(200);
    const first = proposals.json<VendorProposalList>().items[0]!;
    expect(first).toMatchObject({ organisationId: globex.organisationId, vendorName: 'Globex Software' });
    expect(first.score).toBeGreaterThan(0);
    expect(first.reasons.map((r) => r.kind)).toContain('product_name');

    // The registry was compiled for the request above and is reused until it changes.
    expect((await t.services.vulnerabilities.proposeCaseVendors(system, caseId)).cacheHit).toBe(true);
    const extra = await addProduct(coordinator, { organisationId: acme.organisationId, name: 'Widget Server Plugin', keywords: ['widget'] });
    const changed = await t.services.vulnerabilities.proposeCaseVendors(system, caseId);
    expect(changed.cacheHit).toBe(false);
    expect(changed.proposals.map((p) => p.organisationId)).toContain(acme.organisationId);
    expect((await t.services.vulnerabilities.proposeCaseVendors(system, caseId)).cacheHit).toBe(true);
    // A change made by another process (straight in the database) is seen too.
    await t.database.db.deleteFrom('vendor_products').where('id', '=', extra.json<VendorProduct>().id).execute();
    const afterDelete = await t.services.vulnerabilities.proposeCaseVendors(system, caseId);
    expect(afterDelete.cacheHit).toBe(false);

    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vendors`, payload: { organisationId: globex.organisationId } });
    const after = await t.request(coordinator, { url: `/api/v1/cases/${caseId}/vendor-proposals` });
    expect(after.json<VendorProposalList>().items.map((p) => p.organisationId)).not.toContain(globex.organisationId);
    await expectAccess(t, { url: `/api/v1/cases/${caseId}/vendor-proposals` }, { allowed: STAFF_ROLES, hidden: true });
  });
});

describe('the CVE pool', () => {
  const addVulnerability = async (caseId: string, title: string) =>
    (await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title } })).json<{ id: string }>().id;
  const assign = (caseId: string, vulnerabilityId: string, user = coordinator) =>
    t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities/${vulnerabilityId}/cve` });

  it('imports reserved IDs, gives the lowest free one, keeps it on a second call and says 409 once the pool is empty', async () => {
    const imported = await t.services.vulnerabilities.importCvePool(system, 'CVE-2026-10001\n# spare\nCVE-2026-9999\nnot-a-cve\nCVE-2026-10001\n');
    expect(imported).toMatchObject({
      imported: ['CVE-2026-10001', 'CVE-2026-9999'],
      alreadyPresent: [],
      skipped: [expect.objectContaining({ line: 4 }), expect.objectContaining({ line: 5, reason: 'duplicate of an earlier entry' })],
    });
    const again = await t.services.vulnerabilities.importCvePool(system, 'CVE-2026-9999\n');
    expect(again).toMatchObject({ imported: [], alreadyPresent: ['CVE-2026-9999'] });
    expect((await t.request(coordinator, { url: '/api/v1/cve-pool' })).json()).toEqual({ free: 2, assigned: 0, nextFree: 'CVE-2026-9999' });

    const { caseId } = await openCase(t, coordinator, 'Pool Product');
    const [a, b, c] = [await addVulnerability(caseId, 'A'), await addVulnerability(caseId, 'B'), await addVulnerability(caseId, 'C')];
    const first = await assign(caseId, a);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ cveId: 'CVE-2026-9999', newlyAssigned: true });
    const repeat = await assign(caseId, a);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toMatchObject({ cveId: 'CVE-2026-9999', newlyAssigned: false, assignedAt: first.json<{ assignedAt: string }>().assignedAt });
    expect((await assign(caseId, b)).json()).toMatchObject({ cveId: 'CVE-2026-10001' });
    const empty = await assign(caseId, c);
    expect(empty.statusCode).toBe(409);
    expect(empty.json()).toMatchObject({ error: { code: 'cve_pool_empty' } });
    const detail = await t.request(coordinator, { url: `/api/v1/cases/${caseId}` });
    expect(detail.json<{ vulnerabilities: { id: string; cveId: string | null }[] }>().vulnerabilities.find((v) => v.id === a)?.cveId).toBe('CVE-2026-9999');
    // Another case's vulnerability is not this case's.
    const other = await openCase(t, coordinator, 'Other Pool Product');
    expect((await assign(other.caseId, c)).statusCode).toBe(404);
  });

  it('never gives the same ID to two vulnerabilities assigned at once', async () => {
    await t.services.vulnerabilities.importCvePool(system, Array.from({ length: 4 }, (_, i) => `CVE-2026-2000${i}`).join('\n'));
    const { free } = (await t.request(coordinator, { url: '/api/v1/cve-pool' })).json<{ free: number }>();
    const { caseId } = await openCase(t, coordinator, 'Race Product');
    const ids: string[] = [];
    for (let i = 0; i < free + 2; i++) ids.push(await addVulnerability(caseId, `Race ${i}`));
    const answers = await Promise.all(ids.map((id) => assign(caseId, id)));
    const given = answers.filter((r) => r.statusCode === 201).map((r) => r.json<{ cveId: string }>().cveId);
    expect(given).toHaveLength(free);
    expect(new Set(given).size).toBe(free);
    expect(answers.filter((r) => r.statusCode === 409)).toHaveLength(2);
    expect((await t.request(coordinator, { url: '/api/v1/cve-pool' })).json()).toMatchObject({ free: 0 });
  });

  it('refuses a pool file of garbage with a clear 400 and stores nothing from it', async () => {
    const before = (await t.request(coordinator, { url: '/api/v1/cve-pool' })).json<{ free: number; assigned: number }>();
    const garbage = [Buffer.from([0xff, 0xfe, 0x43, 0x00]), Buffer.from([0xc3, 0x28, 0x0a]), '{"cve_ids": [', `${'CVE-2026-1\n'.repeat(100_001)}`];
    for (const file of garbage) {
      await expect(t.services.vulnerabilities.importCvePool(system, file)).rejects.toMatchObject({ status: 400 });
    }
    const lines = await t.services.vulnerabilities.importCvePool(system, '<script>alert(1)</script>\nCVE-1998-0001\nCVE-2026-012345\n');
    expect(lines.imported).toEqual([]);
    expect(lines.skipped).toHaveLength(3);
    expect((await t.request(coordinator, { url: '/api/v1/cve-pool' })).json()).toMatchObject(before);
  });

  it('answers who may see the pool and assign from it', async () => {
    await expectAccess(t, { url: '/api/v1/cve-pool' }, { allowed: STAFF_ROLES });
    const { caseId } = await openCase(t, coordinator, 'Assign Access Product');
    const vulnerabilityId = await addVulnerability(caseId, 'Access');
    // Handlers may (a 409 on an empty pool is past authorisation); a publisher sees the case and is refused; outsiders learn nothing.
    const expected: Record<string, number[]> = {
      admin: [201, 200, 409],
      coordinator: [201, 200, 409],
      analyst: [201, 200, 409],
      publisher: [403],
      vendor_user: [404],
      reporter: [404],
      partner: [404],
      subscriber: [404],
    };
    for (const [role, statuses] of Object.entries(expected)) {
      const response = await assign(caseId, vulnerabilityId, await t.createUser([role as Role]));
      expect(statuses, `${role}: ${response.statusCode}`).toContain(response.statusCode);
    }
    expect((await t.request(null, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities/${vulnerabilityId}/cve` })).statusCode).toBe(401);
  });
});
