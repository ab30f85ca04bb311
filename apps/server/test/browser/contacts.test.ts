import { expect, it } from 'vitest';
import { makeKey } from '../../src/contacts/test-keys.ts';
import { systemContext } from '../../src/policy/actor.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';

describeInBrowser('Directory in a real browser: search, organisation page, key import', (ctx) => {
  it('Should find an ISP by AS number, show its networks and key health, and import a key for it', async () => {
    const { t, baseUrl, page } = ctx();
    const user = await t.createUser(['coordinator']);
    const system = systemContext('test');
    const org = await t.services.contacts.createOrganisation(system, {
      name: 'Browser ISP',
      nameJa: 'ブラウザ ISP',
      kind: 'isp',
      contactEmail: 'noc@browser-isp.example',
      tlpCeiling: 'green',
    });
    await t.services.contacts.addNetwork(system, org.id, { value: 'AS64511', abuseEmail: 'abuse@browser-isp.example' });
    await t.services.contacts.importKeys(system, {
      armored: (await makeKey({ email: 'noc@browser-isp.example', expiresInDays: 10 })).publicArmored,
      organisationId: org.id,
    });
    await t.services.contacts.createPerson(system, org.id, { name: 'Hanako Abuse', email: 'hanako@browser-isp.example' });
    // What mail records from a DSN bounce (its table; the mail tests cover the DSN itself).
    await t.database.db
      .insertInto('mail_address_status')
      .values({ address: 'hanako@browser-isp.example', last_status: 'bounced', last_detail: '5.1.1 smtp; 550 User unknown', bounce_count: 2 })
      .execute();

    await page.goto(`${baseUrl}/app/login`);
    await page.getByTestId('login-email').fill(user.email);
    await page.getByTestId('login-password').fill(user.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-contacts').click();
    await page.getByTestId('directory-search').fill('AS64511');
    await page.getByTestId('directory-submit').click();
    await expect.poll(() => page.getByTestId('directory-result').allInnerTexts()).toEqual(['Browser ISP']);
    await page.getByTestId('directory-result').click();

    await expect.poll(() => page.getByTestId('organisation-name').innerText()).toBe('Browser ISP');
    expect(await page.getByTestId('networks').innerText()).toContain('AS64511');
    expect(await page.getByTestId('tlp-ceiling').innerText()).toContain('TLP:GREEN');
    expect(await page.getByTestId('key-health-expires_soon').count()).toBe(1);
    const bounce = page.getByTestId('people').getByTestId('delivery-status');
    expect(await bounce.getAttribute('data-status')).toBe('bounced');
    expect(await bounce.textContent()).toBe('Bounced (2×)');
    expect(await page.getByTestId('delivery-status').count()).toBe(1);

    const pasted = await makeKey({ email: 'someone@elsewhere.example' });
    await page.getByTestId('import-key-for-organisation').click();
    await page.getByTestId('key-armored').fill(pasted.publicArmored);
    await page.getByTestId('key-import-submit').click();
    await expect.poll(() => page.getByTestId('key-import-result').isVisible()).toBe(true);
    expect(await page.getByTestId('key-import').getByTestId('key-health-address_mismatch').count()).toBe(1);

    // A private key pasted by mistake is stopped in the page before it is sent.
    await page.getByTestId('key-armored').fill(pasted.privateArmored);
    expect(await page.getByTestId('key-import-submit').isDisabled()).toBe(true);

    // The same page in Japanese.
    await page.getByTestId('lang-ja').click();
    await expect.poll(() => page.getByTestId('nav-contacts').innerText()).toContain('連絡先');
    await page.goBack();
    await expect.poll(() => page.getByTestId('people').getByTestId('delivery-status').textContent()).toBe('不達（2 回）');
  });

  it('Should let an admin create an organisation, add a person and prefixes, open the person page, and import a CSV after a dry run', async () => {
    const { t, baseUrl, page } = ctx();
    const admin = await t.createUser(['admin']);
    await page.context().clearCookies();
    await page.goto(`${baseUrl}/app/login`);
    await page.getByTestId('login-email').fill(admin.email);
    await page.getByTestId('login-password').fill(admin.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-contacts').click();
    await page.getByTestId('new-organisation').click();

    await page.getByTestId('org-name').fill('Edited Hosting');
    await page.getByTestId('org-name-ja').fill('編集ホスティング');
    await page.getByTestId('org-kind').selectOption('isp');
    await page.getByTestId('org-country').fill('jp');
    await page.getByTestId('org-languages').fill('ja en');
    await page.getByTestId('org-time-zone').fill('Asia/Tokyo');
    await page.getByTestId('org-tlp-ceiling').selectOption('green');
    await page.getByTestId('org-pgp-policy').selectOption('required');
    await page.getByTestId('org-preferred-format').selectOption('csv');
    await page.getByTestId('organisation-save').click();

    await expect.poll(() => page.getByTestId('organisation-name').innerText()).toBe('Edited Hosting');
    expect(await page.getByTestId('tlp-ceiling').innerText()).toContain('TLP:GREEN');
    const created = await t.database.db.selectFrom('organisations').selectAll().where('name', '=', 'Edited Hosting').executeTakeFirstOrThrow();
    expect(created).toMatchObject({
      name_ja: '編集ホスティング',
      kind: 'isp',
      country: 'JP',
      languages: ['ja', 'en'],
      time_zone: 'Asia/Tokyo',
      pgp_policy: 'required',
      preferred_format: 'csv',
    });

    // Edit: the national CSIRT flag and TLP ceiling.
    await page.getByTestId('organisation-edit').click();
    await page.getByTestId('org-tlp-ceiling').selectOption('amber');
    await page.getByTestId('organisation-save').click();
    await expect.poll(() => page.getByTestId('tlp-ceiling').innerText()).toContain('TLP:AMBER');

    await page.getByTestId('person-name-input').fill('Taro Abuse');
    await page.getByTestId('person-name-ja-input').fill('アビューズ太郎');
    await page.getByTestId('person-role-input').fill('Abuse desk lead');
    await page.getByTestId('person-email-input').fill('taro@edited-hosting.example');
    await page.getByTestId('person-emergency-phone-input').fill('+81-90-1234-5678');
    await page.getByTestId('add-person-submit').click();
    await expect.poll(() => page.getByTestId('person-link').allInnerTexts()).toEqual(['Taro Abuse']);

    // A prefix with host bits set: the server's message names the network address.
    await page.getByTestId('network-value-input').fill('192.0.2.77/24');
    await page.getByTestId('network-abuse-input').fill('abuse@edited-hosting.example');
    await page.getByTestId('add-network-submit').click();
    await expect.poll(() => page.getByTestId('add-network-error').innerText()).toContain('192.0.2.0/24');
    await page.getByTestId('network-value-input').fill('192.0.2.0/24');
    await page.getByTestId('add-network-submit').click();
    await expect.poll(() => page.getByTestId('network-row').allInnerTexts()).toEqual([expect.stringContaining('192.0.2.0/24')]);
    expect(await page.getByTestId('networks').innerText()).toContain('abuse@edited-hosting.example');

    await page.getByTestId('person-link').click();
    await expect.poll(() => page.getByTestId('person-name').innerText()).toBe('Taro Abuse');
    expect(page.url()).toMatch(/\/app\/contacts\/people\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('person-email').innerText()).toContain('taro@edited-hosting.example');
    expect(await page.getByTestId('person-emergency-phone').innerText()).toContain('+81-90-1234-5678');
    await page.getByTestId('person-organisation').click();
    await expect.poll(() => page.getByTestId('organisation-name').innerText()).toBe('Edited Hosting');

    // Remove the person again, confirming in place.
    await page.getByTestId('remove-person').click();
    await page.getByTestId('remove-person-confirm').click();
    await expect.poll(() => page.getByTestId('person-link').count()).toBe(0);

    // CSV import: dry run shows the plan per line, commit creates the rows.
    await page.goto(`${baseUrl}/app/contacts`);
    await page.getByTestId('open-csv-import').click();
    const csv = [
      'name,kind,country,networks,abuse_email',
      'CSV Hosting,isp,JP,AS64520 198.51.100.0/24,abuse@csv-hosting.example',
      'Bad CSV Row,isp,JP,198.51.100.7/24,',
      'Edited Hosting,isp,JP,AS64521,',
    ].join('\n');
    await page.getByTestId('csv-input').fill(csv);
    await page.getByTestId('csv-dry-run').click();
    await expect
      .poll(() => page.getByTestId('csv-line').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-line')}:${row.getAttribute('data-action')}`)))
      .toEqual(['2:create', '3:reject', '4:update']);
    expect(await page.getByTestId('csv-line-errors').innerText()).toContain('198.51.100.0/24');
    expect(await page.getByTestId('csv-report').getAttribute('data-committed')).toBe('false');
    expect(await t.database.db.selectFrom('organisations').select('id').where('name', '=', 'CSV Hosting').execute()).toEqual([]);
    await page.getByTestId('csv-commit').click();
    await expect.poll(() => page.getByTestId('csv-report').getAttribute('data-committed')).toBe('true');
    const imported = await t.database.db.selectFrom('organisations').select('id').where('name', '=', 'CSV Hosting').executeTakeFirstOrThrow();
    const networks = await t.database.db
      .selectFrom('organisation_networks')
      .select(['kind', 'value'])
      .where('organisation_id', '=', imported.id)
      .orderBy('kind')
      .execute();
    expect(networks).toEqual([
      { kind: 'asn', value: '64520' },
      { kind: 'ipv4', value: '198.51.100.0/24' },
    ]);
    const updated = await t.database.db
      .selectFrom('organisation_networks')
      .select('value')
      .where('organisation_id', '=', created.id)
      .where('kind', '=', 'asn')
      .execute();
    expect(updated).toEqual([{ value: '64521' }]);
    expect(await page.getByTestId('csv-commit').isDisabled()).toBe(true);
  });

  it('Should hide the directory editing controls from an analyst', async () => {
    const { t, baseUrl, page } = ctx();
    const analyst = await t.createUser(['analyst']);
    const org = await t.services.contacts.createOrganisation(systemContext('test'), { name: 'Read Only ISP', kind: 'isp' });
    await page.context().clearCookies();
    await page.goto(`${baseUrl}/app/login`);
    await page.getByTestId('login-email').fill(analyst.email);
    await page.getByTestId('login-password').fill(analyst.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-contacts').click();
    await expect.poll(() => page.getByTestId('open-keys').isVisible()).toBe(true);
    expect(await page.getByTestId('new-organisation').count()).toBe(0);
    // A pasted link to the organisation's own path opens it on a fresh page load.
    await page.goto(`${baseUrl}/app/contacts/organisations/${org.id}`);
    await expect.poll(() => page.getByTestId('organisation-name').innerText()).toBe('Read Only ISP');
    expect(await page.getByTestId('organisation-edit').count()).toBe(0);
    expect(await page.getByTestId('add-person').count()).toBe(0);
    expect(await page.getByTestId('add-network').count()).toBe(0);

    // A link from before ids moved into the path still lands on the same page, under its new address.
    await page.goto(`${baseUrl}/app/contacts/organisation?id=${org.id}`);
    await expect.poll(() => page.url()).toBe(`${baseUrl}/app/contacts/organisations/${org.id}`);
    await expect.poll(() => page.getByTestId('organisation-name').innerText()).toBe('Read Only ISP');
  });
});
