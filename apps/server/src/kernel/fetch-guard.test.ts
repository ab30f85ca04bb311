import { describe, expect, it } from 'vitest';
import { type FetchGuard, FetchRefusedError, NO_FETCH_ALLOW, type Resolver, checkDestination, parseFetchAllow, refusedClass } from './fetch-guard.ts';
import { parseIp } from './ip.ts';

const classOf = (text: string) => refusedClass(parseIp(text)!);
// No test here asks real DNS: names resolve through this table.
const names: Record<string, string[]> = {
  'public.test': ['192.88.1.1'],
  'internal.test': ['10.1.2.3'],
  'mixed.test': ['8.8.8.8', '192.168.1.10'],
  'metadata.test': ['169.254.169.254'],
  'v6-private.test': ['fd12:3456::1'],
  'feeds.corp.test': ['10.20.0.7'],
};
const resolve: Resolver = async (hostname) => {
  const list = names[hostname];
  if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const guard: FetchGuard = { allow: NO_FETCH_ALLOW, resolve };
const refusal = async (url: string, g: FetchGuard = guard) => {
  try {
    await checkDestination(new URL(url), g);
  } catch (error) {
    if (error instanceof FetchRefusedError) return { message: error.message, addressClass: error.addressClass, status: error.status, code: error.code };
    throw error;
  }
  return null;
};

describe('refusedClass', () => {
  it('Should name every internal IPv4 class and let public addresses through', () => {
    expect(classOf('0.0.0.0')).toBe('unspecified');
    expect(classOf('0.1.2.3')).toBe('unspecified');
    expect(classOf('10.0.0.5')).toBe('private');
    expect(classOf('172.16.0.1')).toBe('private');
    expect(classOf('172.31.255.255')).toBe('private');
    expect(classOf('192.168.0.1')).toBe('private');
    expect(classOf('100.64.0.1')).toBe('carrier-grade NAT');
    expect(classOf('100.127.255.254')).toBe('carrier-grade NAT');
    expect(classOf('127.0.0.1')).toBe('loopback');
    expect(classOf('127.255.255.254')).toBe('loopback');
    expect(classOf('169.254.169.254')).toBe('link-local');
    expect(classOf('224.0.0.1')).toBe('multicast');
    expect(classOf('239.255.255.250')).toBe('multicast');
    expect(classOf('255.255.255.255')).toBe('broadcast');
    expect(classOf('240.0.0.1')).toBe('reserved');
    expect(classOf('192.0.0.170')).toBe('IETF protocol');
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.88.1.1', '9.255.255.255', '11.0.0.0'])
      expect(classOf(address), address).toBeNull();
  });

  it('Should name every internal IPv6 class, judging IPv4-mapped, NAT64, compatible and 6to4 forms by the IPv4 address inside', () => {
    expect(classOf('::')).toBe('unspecified');
    expect(classOf('::1')).toBe('loopback');
    expect(classOf('fc00::1')).toBe('private');
    expect(classOf('fd12:3456::1')).toBe('private');
    expect(classOf('fe80::1')).toBe('link-local');
    expect(classOf('febf::1')).toBe('link-local');
    expect(classOf('ff02::1')).toBe('multicast');
    expect(classOf('::ffff:127.0.0.1')).toBe('loopback');
    expect(classOf('::ffff:7f00:1')).toBe('loopback');
    expect(classOf('::ffff:10.0.0.5')).toBe('private');
    expect(classOf('::ffff:169.254.169.254')).toBe('link-local');
    expect(classOf('::ffff:0.0.0.0')).toBe('unspecified');
    expect(classOf('64:ff9b::a9fe:a9fe')).toBe('link-local');
    expect(classOf('::127.0.0.1')).toBe('loopback');
    expect(classOf('2002:c0a8:0101::1')).toBe('private');
    for (const address of ['2001:4860:4860::8888', '::ffff:8.8.8.8', '2606:4700::1111', '64:ff9b::808:808']) expect(classOf(address), address).toBeNull();
  });
});

describe('checkDestination', () => {
  it('Should refuse a private address with a message naming the address and its class, as a 422 fetch_refused', async () => {
    expect(await refusal('http://10.0.0.5/feed.csv')).toEqual({
      message: 'refused: 10.0.0.5 is a private address',
      addressClass: 'private',
      status: 422,
      code: 'fetch_refused',
    });
    expect((await refusal('http://169.254.169.254/latest/meta-data/'))?.message).toBe('refused: 169.254.169.254 is a link-local address');
    expect((await refusal('http://0.0.0.0:8080/'))?.message).toBe('refused: 0.0.0.0 is an unspecified address');
    expect((await refusal('http://100.64.1.1/'))?.addressClass).toBe('carrier-grade NAT');
    expect((await refusal('http://255.255.255.255/'))?.addressClass).toBe('broadcast');
    expect((await refusal('http://224.0.0.251/'))?.addressClass).toBe('multicast');
    expect((await refusal('http://[::]/'))?.addressClass).toBe('unspecified');
    expect((await refusal('http://[::1]:8080/'))?.message).toBe('refused: ::1 is a loopback address');
    expect((await refusal('http://[fe80::1]/'))?.addressClass).toBe('link-local');
    expect((await refusal('http://[fd00::1]/'))?.addressClass).toBe('private');
    expect((await refusal('http://[ff02::1]/'))?.addressClass).toBe('multicast');
  });

  it('Should refuse loopback written as a decimal, hex, octal, short or IPv4-mapped literal', async () => {
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0x7f000001/',
      'http://017700000001/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://127.0.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'https://127.0.0.1./',
      'http://①②⑦.0.0.1/',
    ])
      expect(await refusal(url), url).toMatchObject({ addressClass: 'loopback' });
    expect((await refusal('http://0xa9.0xfe.0xa9.0xfe/'))?.message).toBe('refused: 169.254.169.254 is a link-local address');
    expect((await refusal('http://[::ffff:a9fe:a9fe]/'))?.message).toBe('refused: ::ffff:169.254.169.254 is a link-local address');
  });

  it('Should refuse a name that resolves to an internal address, checking every address it has', async () => {
    expect((await refusal('https://internal.test/feed'))?.message).toBe('refused: 10.1.2.3 is a private address (internal.test resolves to it)');
    expect((await refusal('http://metadata.test/'))?.addressClass).toBe('link-local');
    expect((await refusal('http://v6-private.test/'))?.addressClass).toBe('private');
    expect((await refusal('http://mixed.test/'))?.message).toBe('refused: 192.168.1.10 is a private address (mixed.test resolves to it)');
    expect(await checkDestination(new URL('https://public.test/x'), guard)).toEqual({ address: '192.88.1.1', family: 4 });
    await expect(checkDestination(new URL('http://nowhere.test/'), guard)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('Should refuse schemes other than http and https', async () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://public.test/x',
      'gopher://public.test:70/',
      'data:text/plain,hi',
      'javascript:alert(1)',
      'ws://public.test/',
    ])
      expect(await refusal(url), url).toMatchObject({
        addressClass: 'scheme',
        message: expect.stringMatching(/^refused: scheme [a-z]+: is not http or https$/),
      });
  });

  it("Should let through exactly the operator's allowed ranges and names, and nothing beside them", async () => {
    const allowed: FetchGuard = { allow: parseFetchAllow(' 127.0.0.1, 10.20.0.0/16 , *.corp.test, internal.test, fd00::/8 '), resolve };
    expect(await refusal('http://127.0.0.1:8080/', allowed)).toBeNull();
    expect(await refusal('http://[::ffff:127.0.0.1]/', allowed)).toBeNull();
    expect(await refusal('http://10.20.3.4/', allowed)).toBeNull();
    expect(await refusal('http://feeds.corp.test/', allowed)).toBeNull();
    expect(await refusal('http://internal.test/', allowed)).toBeNull();
    expect(await refusal('http://[fd00::5]/', allowed)).toBeNull();
    expect(await refusal('http://127.0.0.2/', allowed)).toMatchObject({ addressClass: 'loopback' });
    expect(await refusal('http://10.21.0.1/', allowed)).toMatchObject({ addressClass: 'private' });
    expect(await refusal('http://metadata.test/', allowed)).toMatchObject({ addressClass: 'link-local' });
    expect(await refusal('http://[fe80::1]/', allowed)).toMatchObject({ addressClass: 'link-local' });
    expect(await refusal('file:///etc/passwd', allowed)).toMatchObject({ addressClass: 'scheme' });
  });

  it('Should refuse an allow-list entry that is neither an address, a CIDR block nor a host name', () => {
    expect(parseFetchAllow('')).toEqual(NO_FETCH_ALLOW);
    for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '10.0.0.0/8;rm', '*'])
      expect(() => parseFetchAllow(bad), bad).toThrow(/not an address, CIDR block or host name/);
  });
});
