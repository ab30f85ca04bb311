import { describe, expect, it } from 'vitest';
import { compareCpes, CpeError, cpeMatches, formatCpe, parseCpe, STAR } from './cpe.ts';

const value = (text: string, head = 0, tail = 0) => ({ kind: 'value', text, head, tail });

describe('parseCpe, the 2.3 formatted string (NISTIR 7695 §6.2)', () => {
  it('Should unbind the Internet Explorer 8.0.6001 beta example', () => {
    const cpe = parseCpe('cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*');
    expect(cpe.part).toEqual(value('a'));
    expect(cpe.vendor).toEqual(value('microsoft'));
    expect(cpe.product).toEqual(value('internet_explorer'));
    expect(cpe.version).toEqual(value('8.0.6001'));
    expect(cpe.update).toEqual(value('beta'));
    expect(cpe.edition).toEqual({ kind: 'any' });
    expect(cpe.other).toEqual({ kind: 'any' });
  });

  it('Should read wildcards at the ends: 8.* and sp?', () => {
    const cpe = parseCpe('cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*');
    expect(cpe.version).toEqual(value('8.', 0, STAR));
    expect(cpe.update).toEqual(value('sp', 0, 1));
  });

  it('Should read NA and the target attributes of the HP Insight Diagnostics example', () => {
    const cpe = parseCpe('cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*');
    expect(cpe.update).toEqual({ kind: 'na' });
    expect(cpe.swEdition).toEqual(value('online'));
    expect(cpe.targetSw).toEqual(value('win2003'));
    expect(cpe.targetHw).toEqual(value('x64'));
  });

  it('Should unquote escaped characters: foo\\\\bar, big\\$money, an escaped colon and escaped dots', () => {
    const cpe = parseCpe('cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*');
    expect(cpe.vendor).toEqual(value('foo\\bar'));
    expect(cpe.product).toEqual(value('big$money_manager_2010'));
    const colon = parseCpe('cpe:2.3:a:acme:router\\:os:2\\.1\\.0:*:*:*:*:*:*:*');
    expect(colon.product).toEqual(value('router:os'));
    expect(colon.version).toEqual(value('2.1.0'));
    expect(parseCpe('cpe:2.3:a:acme:x:\\*:*:*:*:*:*:*:*').version).toEqual(value('*'));
  });

  it('Should fold case, since names compare case-insensitively', () => {
    expect(parseCpe('CPE:2.3:A:Microsoft:IE:8.0:*:*:*:*:*:*:*').vendor).toEqual(value('microsoft'));
  });

  it('Should refuse an embedded unquoted asterisk or question mark, as the spec does for 7.4.*.1570', () => {
    expect(() => parseCpe('cpe:2.3:a:hp:insight_diagnostics:7.4.*.1570:*:*:*:*:*:*:*')).toThrow(/'\*' may only stand/);
    expect(() => parseCpe('cpe:2.3:a:hp:x:7.?.1:*:*:*:*:*:*:*')).toThrow(/wildcard may only stand|'\?' may only/);
    expect(() => parseCpe('cpe:2.3:a:hp:x:*?:*:*:*:*:*:*:*')).toThrow(CpeError);
    expect(() => parseCpe('cpe:2.3:a:hp:x:?*:*:*:*:*:*:*:*')).toThrow(/wildcards only/);
  });

  it('Should refuse a wrong component count, a bad part, an empty component and a trailing backslash', () => {
    expect(() => parseCpe('cpe:2.3:a:acme:router')).toThrow(/11 components.*has 3/);
    expect(() => parseCpe('cpe:2.3:x:acme:router:*:*:*:*:*:*:*:*')).toThrow(/part must be/);
    expect(() => parseCpe('cpe:2.3:-:acme:router:*:*:*:*:*:*:*:*')).toThrow(/part must be/);
    expect(() => parseCpe('cpe:2.3:a::router:*:*:*:*:*:*:*:*')).toThrow(/vendor: empty component/);
    expect(() => parseCpe('cpe:2.3:a:acme:router:*:*:*:*:*:*:*:x\\')).toThrow(/lone '\\'/);
    expect(() => parseCpe('cpe:2.3:a:acme:rou\\ter:*:*:*:*:*:*:*:*')).toThrow(/only quote a punctuation/);
  });

  it('Should refuse spaces, control characters and non-ASCII with a CpeError naming the character', () => {
    expect(() => parseCpe('cpe:2.3:a:acme:router os:*:*:*:*:*:*:*:*')).toThrow(/U\+0020/);
    expect(() => parseCpe('cpe:2.3:a:acme:ルータ:*:*:*:*:*:*:*:*')).toThrow(/U\+30EB/);
    expect(() => parseCpe('cpe:2.3:a:acme:r\u0000:*:*:*:*:*:*:*:*')).toThrow(CpeError);
  });

  it('Should refuse what is not a CPE at all, and non-strings', () => {
    for (const input of ['', 'cpe', 'cpe:2.2:a:b', 'pkg:npm/x', 'http://example.com']) {
      expect(() => parseCpe(input)).toThrow(CpeError);
    }
    expect(() => parseCpe(42 as unknown as string)).toThrow(/must be a string/);
  });

  it('Should refuse a huge or hostile name quickly, without a catastrophic pass', () => {
    const started = performance.now();
    expect(() => parseCpe(`cpe:2.3:a:${'\\:'.repeat(500_000)}`)).toThrow(/at most 1024/);
    expect(() => parseCpe(`cpe:2.3:a:acme:${'?'.repeat(900)}x?*:*:*:*:*:*:*:*:*`)).toThrow(CpeError);
    expect(() => parseCpe(`cpe:2.3:${':'.repeat(1000)}`)).toThrow(/11 components/);
    expect(performance.now() - started).toBeLessThan(1000);
    const error = (() => {
      try {
        parseCpe('nope');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toMatchObject({ status: 400, code: 'invalid_cpe' });
  });
});

describe('parseCpe, the 2.2 URI (NISTIR 7695 §6.1)', () => {
  it('Should convert cpe:/a:microsoft:internet_explorer:8.0.6001:beta to the formatted string', () => {
    expect(formatCpe(parseCpe('cpe:/a:microsoft:internet_explorer:8.0.6001:beta'))).toBe('cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*');
  });

  it('Should read %01 and %02 as the wildcards ? and *', () => {
    expect(formatCpe(parseCpe('cpe:/a:microsoft:internet_explorer:8.%02:sp%01'))).toBe('cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*');
  });

  it('Should unpack a packed edition and read an empty component as ANY and - as NA', () => {
    expect(formatCpe(parseCpe('cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~'))).toBe(
      'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*',
    );
    expect(formatCpe(parseCpe('cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~'))).toBe(
      'cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*',
    );
    expect(formatCpe(parseCpe('cpe:/o:linux:linux_kernel'))).toBe('cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*');
  });

  it('Should refuse bad escapes, unencoded punctuation, too many components and a short packed edition', () => {
    expect(() => parseCpe('cpe:/a:acme:router%zz')).toThrow(/two-digit hex/);
    expect(() => parseCpe('cpe:/a:acme:router%4')).toThrow(/two-digit hex/);
    expect(() => parseCpe('cpe:/a:acme:router%41')).toThrow(/does not encode a punctuation/);
    expect(() => parseCpe('cpe:/a:acme:router$')).toThrow(/percent-encoded/);
    expect(() => parseCpe('cpe:/a:foo~bar:x')).toThrow(/'~'|percent-encoded/);
    expect(() => parseCpe('cpe:/a:b:c:d:e:f:g:h')).toThrow(/at most 7/);
    expect(() => parseCpe('cpe:/a:b:c:d:e:~x~y')).toThrow(/five fields/);
    expect(() => parseCpe('cpe:/a:b:c:1.%02.0')).toThrow(CpeError);
  });
});

describe('formatCpe', () => {
  it('Should escape every punctuation mark but - . _ and round-trip', () => {
    const text = 'cpe:2.3:a:foo\\\\bar:big\\$money\\!:1.0-rc\\+1:*:*:*:*:*:*:*';
    expect(formatCpe(parseCpe(text))).toBe(text);
    expect(formatCpe(parseCpe(formatCpe(parseCpe('cpe:/a:acme:%2d'))))).toBe('cpe:2.3:a:acme:\\-:*:*:*:*:*:*:*:*');
  });
});

describe('cpeMatches and compareCpes (NISTIR 7696)', () => {
  const ie = 'cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*';

  it('Should let ANY match every value, and a name match itself', () => {
    expect(cpeMatches('cpe:2.3:a:microsoft:internet_explorer:*:*:*:*:*:*:*:*', ie)).toBe(true);
    expect(cpeMatches('cpe:2.3:*:*:*:*:*:*:*:*:*:*:*', ie)).toBe(true);
    expect(cpeMatches(ie, ie)).toBe(true);
    expect(compareCpes(parseCpe(ie), parseCpe(ie))).toBe('equal');
  });

  it('Should let NA match only NA', () => {
    const na = 'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:*:*:*:*';
    expect(cpeMatches(na, 'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches(na, 'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:sp1:*:*:*:*:*:*')).toBe(false);
    expect(compareCpes(parseCpe(na), parseCpe('cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:*:*:*:*'))).toBe('subset');
  });

  it('Should apply wildcards in the pattern: 8.* and sp? (one character each ?)', () => {
    const pattern = 'cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*';
    expect(cpeMatches(pattern, 'cpe:2.3:a:microsoft:internet_explorer:8.0.6001:sp2:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches(pattern, 'cpe:2.3:a:microsoft:internet_explorer:8.:sp2:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches(pattern, 'cpe:2.3:a:microsoft:internet_explorer:9.0:sp2:*:*:*:*:*:*')).toBe(false);
    expect(cpeMatches(pattern, 'cpe:2.3:a:microsoft:internet_explorer:8.0:sp:*:*:*:*:*:*')).toBe(false);
    expect(cpeMatches(pattern, 'cpe:2.3:a:microsoft:internet_explorer:8.0:sp12:*:*:*:*:*:*')).toBe(false);
    expect(cpeMatches('cpe:2.3:a:acme:*_os:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:router_os:1:*:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches('cpe:2.3:a:acme:*route*:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:my_router:1:*:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches('cpe:2.3:a:acme:??_os:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:ab_os:1:*:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches('cpe:2.3:a:acme:??_os:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:abc_os:1:*:*:*:*:*:*:*')).toBe(false);
    expect(cpeMatches('cpe:2.3:a:acme:*os?:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:xos2:1:*:*:*:*:*:*:*')).toBe(true);
    expect(cpeMatches('cpe:2.3:a:acme:??:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:ab:1:*:*:*:*:*:*:*')).toBe(true);
  });

  it('Should compare case-insensitively and across bindings', () => {
    expect(cpeMatches('cpe:/a:Microsoft:Internet_Explorer', ie.toUpperCase())).toBe(true);
  });

  it('Should call a more specific pattern a subset, and a candidate with wildcards undefined', () => {
    const specific = parseCpe('cpe:2.3:a:acme:router_os:2.1:*:*:*:*:*:*:*');
    expect(compareCpes(specific, parseCpe('cpe:2.3:a:acme:router_os:*:*:*:*:*:*:*:*'))).toBe('subset');
    expect(compareCpes(specific, parseCpe('cpe:2.3:a:acme:router_os:2.*:*:*:*:*:*:*:*'))).toBe('undefined');
    const mixed = parseCpe('cpe:2.3:a:acme:router_os:2.1:*:*:*:*:*:*:*');
    expect(compareCpes(mixed, parseCpe('cpe:2.3:a:acme:router_os:*:beta:*:*:*:*:*:*'))).toBe('overlap');
    expect(compareCpes(mixed, parseCpe('cpe:2.3:a:other:router_os:*:*:*:*:*:*:*:*'))).toBe('disjoint');
  });

  it('Should match hostile wildcard patterns in linear time', () => {
    const long = 'a'.repeat(400);
    const pattern = parseCpe(`cpe:2.3:a:acme:*${long}b*:*:*:*:*:*:*:*:*`);
    const candidate = parseCpe(`cpe:2.3:a:acme:${long}${long}:*:*:*:*:*:*:*:*`);
    const started = performance.now();
    for (let round = 0; round < 1000; round++) expect(cpeMatches(pattern, candidate)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
