import { describe, expect, it } from 'vitest';
import { parseIndicator, parentDomains, refang } from './indicator.ts';

const norm = (text: string) => {
  const parsed = parseIndicator(text);
  return parsed.kind === 'invalid' ? `invalid: ${parsed.error}` : `${parsed.kind} ${parsed.normalized}`;
};

describe('parseIndicator', () => {
  it('Should read plain IPv4 and IPv6 addresses in canonical form', () => {
    expect(norm('192.0.2.1')).toBe('ip 192.0.2.1');
    expect(norm('2001:DB8:0:0::1')).toBe('ip 2001:db8::1');
    expect(norm('[2001:db8::1]')).toBe('ip 2001:db8::1');
    expect(norm('::ffff:192.0.2.1')).toBe('ip ::ffff:c000:201');
  });

  it('Should undo the usual defanging of addresses, domains and URLs', () => {
    expect(norm('1.2.3[.]4')).toBe('ip 1.2.3.4');
    expect(norm('1(.)2(.)3(.)4')).toBe('ip 1.2.3.4');
    expect(norm('example[.]com')).toBe('domain example.com');
    expect(norm('example[dot]com')).toBe('domain example.com');
    expect(norm('hxxp://evil[.]example[.]com/login')).toBe('domain evil.example.com');
    expect(norm('hxxps[:]//198.51.100[.]7:8443/x')).toBe('ip 198.51.100.7');
    expect(norm('hXXps://[2001:db8::5]/')).toBe('ip 2001:db8::5');
    expect(norm('http[:]//example.org')).toBe('domain example.org');
    expect(refang('hxxps[://]a[.]b')).toBe('https://a.b');
  });

  it('Should keep the URL a domain came from', () => {
    const parsed = parseIndicator('hxxps://example[.]com/a?b=1');
    expect(parsed).toMatchObject({ kind: 'domain', normalized: 'example.com', url: 'https://example.com/a?b=1' });
  });

  it('Should read hosts with a path but no scheme, and e-mail addresses as their domain', () => {
    expect(norm('example[.]com/wp-login.php')).toBe('domain example.com');
    expect(norm('abuse@Example.NET')).toBe('domain example.net');
    expect(norm('"<www.example.com>",')).toBe('domain www.example.com');
  });

  it('Should give IDN domains in punycode beside their display form', () => {
    const parsed = parseIndicator('http://例え.テスト/パス');
    expect(parsed).toMatchObject({ kind: 'domain', normalized: 'xn--r8jz45g.xn--zckzah', display: '例え.テスト' });
    expect(parseIndicator('xn--r8jz45g.xn--zckzah')).toMatchObject({ kind: 'domain', display: '例え.テスト' });
  });

  it('Should say clearly why junk is not an indicator', () => {
    expect(norm('')).toBe('invalid: empty');
    expect(norm('   ')).toBe('invalid: empty');
    expect(norm('256.1.1.1')).toMatch(/^invalid: not a valid IPv4/);
    expect(norm('010.1.1.1')).toMatch(/^invalid: not a valid IPv4/);
    expect(norm('1.2.3')).toMatch(/^invalid: not a valid IPv4/);
    expect(norm('2001:db8:::1')).toMatch(/^invalid: not a valid IPv6/);
    expect(norm('localhost')).toBe('invalid: not an IP address, domain or URL');
    expect(norm('exa mple.com')).toBe('invalid: contains spaces or control characters');
    expect(norm('-bad-.example')).toMatch(/^invalid: not a valid domain name/);
    expect(norm('a.123')).toMatch(/^invalid: not a valid domain name/);
    expect(norm(`${'a'.repeat(64)}.com`)).toMatch(/^invalid: not a valid domain name/);
    expect(norm('http://')).toMatch(/^invalid/);
    expect(norm('x'.repeat(5000))).toMatch(/^invalid: longer than/);
    expect(norm('fe80::1%eth0')).toMatch(/^invalid/);
  });

  it('Should list a domain and its parents, most specific first', () => {
    expect(parentDomains('a.b.example.jp')).toEqual(['a.b.example.jp', 'b.example.jp', 'example.jp']);
  });
});
