import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { parseXml } from './safe-xml.ts';

let t: TestApp;
let partner: TestUser;
let analyst: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  partner = await t.createUser(['partner']);
  analyst = await t.createUser(['analyst']);
});
afterAll(() => t.close());

const post = (contentType: string, payload: string) =>
  t.request(partner, { method: 'POST', url: '/api/v1/reports', headers: { 'content-type': contentType }, payload });
const reportCount = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('reports')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<IODEF-Document><Incident><Description>&lol9;</Description></Incident></IODEF-Document>`;
const EXTERNAL_ENTITY = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><IODEF-Document><Incident><Description>&xxe;</Description></Incident></IODEF-Document>`;
const UNDECLARED_ENTITY = `<IODEF-Document><Incident><Description>&xxe;</Description></Incident></IODEF-Document>`;

describe('hostile IODEF', () => {
  it.each([
    ['billion laughs', BILLION_LAUGHS, /DOCTYPE/],
    ['an external entity', EXTERNAL_ENTITY, /DOCTYPE/],
    ['an undeclared entity', UNDECLARED_ENTITY, /well-formed/],
    ['deep nesting', `<IODEF-Document>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</IODEF-Document>`, /deeper than 64/],
    ['unclosed tags', '<IODEF-Document><Incident><Description>x</Incident>', /well-formed/],
    ['another root', '<html><script>alert(1)</script></html>', /not <IODEF-Document>/],
    ['no incident', '<IODEF-Document version="2.00"/>', /no Incident/],
    ['not XML', 'just text', /well-formed|no root/],
    ['too many elements', `<IODEF-Document>${'<x/>'.repeat(150_000)}</IODEF-Document>`, /More than 100000 elements/],
  ])('Should refuse %s with a clear 400 and store nothing', async (_name, xml, message) => {
    const before = await reportCount();
    const response = await post('application/xml', xml);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('malformed_report');
    expect(response.json().error.message).toMatch(message);
    expect(await reportCount()).toBe(before);
  });

  it('Should refuse a 10 MB document with 413 before parsing it', async () => {
    const huge = `<IODEF-Document><Incident><Description>${'A'.repeat(10 * 1024 * 1024)}</Description></Incident></IODEF-Document>`;
    const response = await post('application/iodef+xml', huge);
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toBeDefined();
  });

  it('Should keep a script in an IODEF description as text, stored as given', async () => {
    const response = await post(
      'application/xml',
      '<IODEF-Document><Incident><Description><![CDATA[<script>alert(1)</script>]]> &lt;b&gt;x&lt;/b&gt;</Description><URL>javascript:alert(1)</URL></Incident></IODEF-Document>',
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().warnings.join(' ')).toContain('javascript:alert(1)');
    const detail = (await t.request(analyst, { url: `/api/v1/reports/${response.json().id}` })).json();
    expect(detail.description).toBe('<script>alert(1)</script> <b>x</b>');
  });

  it('Should never expand entities even when called directly', () => {
    expect(() => parseXml(BILLION_LAUGHS)).toThrow(/DOCTYPE/);
    expect(parseXml('<a>&lt;&amp;&#x41;</a>').text).toBe('<&A');
  });
});

describe('hostile X-ARF and JSON', () => {
  it.each([
    ['application/xarf+json', '{"Version":"0.3",', /not valid JSON/],
    ['application/xarf+json', '[1,2,3]', /JSON object/],
    ['application/xarf+json', '{"Version":"0.2","Report":{}}', /"Version" must be "0.3"/],
    ['application/xarf+json', '{"Version":"0.3","Report":{"ReportType":"phishing"}}', /Report.Source/],
    ['text/x-xarf', 'Hello, just a letter', /no "Source:" line/],
    ['text/x-xarf', 'Source: 192.0.2.1\n', /no "Report-Type:"/],
  ])('Should refuse a malformed %s report with a clear 400', async (type, body, message) => {
    const response = await post(type, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.message).toMatch(message);
  });

  it('Should refuse an unknown content type with 415', async () => {
    const response = await post('application/x-shockwave-flash', 'x');
    expect(response.statusCode).toBe(415);
  });

  it('Should keep 5,000 of 12,000 observables in one JSON report and say how many were dropped', async () => {
    const observables = Array.from({ length: 12_000 }, (_, i) => `host-${i}.example`);
    const response = await t.request(partner, { method: 'POST', url: '/api/v1/reports', payload: { title: 'Many', observables } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ observableCount: 5000, observablesDropped: 7000 });
    expect(response.json().warnings[0]).toContain('7000 were not stored');
  });

  it('Should keep an IDN homograph as punycode with the Unicode form beside it', async () => {
    const response = await t.request(partner, {
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Homograph', observables: ['https://xn--80ak6aa92e.com/', 'https://аррӏе.com/login'] },
    });
    const detail = (await t.request(analyst, { url: `/api/v1/reports/${response.json().id}` })).json();
    const domains = detail.observables.filter((o: { kind: string }) => o.kind === 'domain');
    expect(domains).toEqual([expect.objectContaining({ value: 'xn--80ak6aa92e.com', display: 'аррӏе.com' })]);
  });
});
