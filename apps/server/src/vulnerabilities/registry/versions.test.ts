import { describe, expect, it } from 'vitest';
import { compareDebianVersions, compareDottedVersions, parseDebianVersion, versionInRange } from './versions.ts';

const sign = (value: number | undefined) => (value === undefined ? undefined : Math.sign(value));

describe('compareDebianVersions (Debian Policy §5.6.12)', () => {
  it('Should sort ~~, ~~a, ~, the empty part, a in that order, as the policy lists them', () => {
    const ordered = ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a'];
    for (let index = 1; index < ordered.length; index++) {
      expect(sign(compareDebianVersions(ordered[index - 1] ?? '', ordered[index] ?? ''))).toBe(-1);
      expect(sign(compareDebianVersions(ordered[index] ?? '', ordered[index - 1] ?? ''))).toBe(1);
    }
  });

  it('Should put a pre-release before its release: 1.0~rc1 < 1.0, and backports before the version', () => {
    expect(sign(compareDebianVersions('1.0~rc1', '1.0'))).toBe(-1);
    expect(sign(compareDebianVersions('2.30-1~bpo11+1', '2.30-1'))).toBe(-1);
    expect(sign(compareDebianVersions('1.1.1n-0+deb11u4', '1.1.1n-0+deb11u5'))).toBe(-1);
  });

  it('Should let the epoch decide first, and read a missing epoch as 0', () => {
    expect(sign(compareDebianVersions('1:0.1', '2.0'))).toBe(1);
    expect(sign(compareDebianVersions('0:2.0', '2.0'))).toBe(0);
    expect(sign(compareDebianVersions('2:1.0', '10:0.1'))).toBe(-1);
  });

  it('Should read a missing revision as 0, compare digits as numbers and letters before other marks', () => {
    expect(sign(compareDebianVersions('1.0', '1.0-0'))).toBe(0);
    expect(sign(compareDebianVersions('1.0', '1.0-1'))).toBe(-1);
    expect(sign(compareDebianVersions('1.10', '1.9'))).toBe(1);
    expect(sign(compareDebianVersions('1.01', '1.1'))).toBe(0);
    expect(sign(compareDebianVersions('1.0a', '1.0+'))).toBe(-1);
    expect(sign(compareDebianVersions('1.0+dfsg', '1.0'))).toBe(1);
    expect(sign(compareDebianVersions('1.2-3-4', '1.2-3-5'))).toBe(-1); // the last hyphen starts the revision
  });

  it('Should compare numbers longer than any integer without overflow', () => {
    expect(sign(compareDebianVersions(`1.${'9'.repeat(60)}`, `1.1${'0'.repeat(60)}`))).toBe(-1);
  });

  it('Should refuse what is not a Debian version', () => {
    for (const bad of ['', 'a1.0', '1.0-', 'x:1.0', ':1.0', '1.0_1', '1.0 1', '1:2:3', '1.0-a_b', 'é', '9'.repeat(300)]) {
      expect(parseDebianVersion(bad)).toBeUndefined();
      expect(compareDebianVersions(bad, '1.0')).toBeUndefined();
    }
    expect(parseDebianVersion('1:2.30-1~bpo11+1')).toEqual({ epoch: '1', upstream: '2.30', revision: '1~bpo11+1' });
  });
});

describe('compareDottedVersions', () => {
  it('Should compare part by part as numbers, with missing parts as 0 and an optional v', () => {
    expect(sign(compareDottedVersions('2.4.10', '2.4.9'))).toBe(1);
    expect(sign(compareDottedVersions('1.0', '1.0.0'))).toBe(0);
    expect(sign(compareDottedVersions('v1.2', '1.3'))).toBe(-1);
    expect(compareDottedVersions('1.0a', '1.0')).toBeUndefined();
    expect(compareDottedVersions('1..0', '1.0')).toBeUndefined();
    expect(compareDottedVersions('', '1.0')).toBeUndefined();
  });
});

describe('versionInRange', () => {
  it('Should read all, * and any as every version', () => {
    expect(versionInRange('9.9', 'all')).toBe(true);
    expect(versionInRange('whatever', '*')).toBe(true);
    expect(versionInRange('1.0', 'ANY')).toBe(true);
  });

  it('Should answer semver ranges with the semver package, pre-releases included', () => {
    expect(versionInRange('1.2.3', '^1.2.0')).toBe(true);
    expect(versionInRange('2.0.0', '^1.2.0')).toBe(false);
    expect(versionInRange('1.2.9', '~1.2.3')).toBe(true);
    expect(versionInRange('1.4.2', '1.x || >=2.5.0')).toBe(true);
    expect(versionInRange('1.0.0-rc1', '<1.0.0')).toBe(true);
    expect(versionInRange('v1.2.3', '>=1.2.3')).toBe(true);
  });

  it('Should answer the simple list form: <2.4.1, >=1.0 <1.5, >=1.0,<1.5, an exact version, a list of versions', () => {
    expect(versionInRange('2.4.0', '<2.4.1')).toBe(true);
    expect(versionInRange('2.4.1', '<2.4.1')).toBe(false);
    expect(versionInRange('1.2', '>=1.0 <1.5')).toBe(true);
    expect(versionInRange('1.5', '>=1.0 <1.5')).toBe(false);
    expect(versionInRange('1.2', '>=1.0, <1.5')).toBe(true);
    expect(versionInRange('1.2.3.4', '>= 1.2.3 < 1.2.4')).toBe(true);
    expect(versionInRange('1.2.3', '1.2.3')).toBe(true);
    expect(versionInRange('1.2', '1.2.0')).toBe(true);
    expect(versionInRange('1.2.4', '1.2.3, 1.2.4')).toBe(true);
    expect(versionInRange('1.2.5', '1.2.3, 1.2.4')).toBe(false);
    expect(versionInRange('1.3', '1.0 - 1.4')).toBe(true);
    expect(versionInRange('1.3', '<1.0 || >=1.3 <2')).toBe(true);
    expect(versionInRange('1.3', '!=1.3')).toBe(false);
  });

  it('Should use dpkg ordering for Debian versions, detected by an epoch or ~, or asked for', () => {
    expect(versionInRange('1.0~rc1', '<1.0')).toBe(true);
    expect(versionInRange('1:1.0', '<2.0')).toBe(false);
    expect(versionInRange('1.1.1n-0+deb11u4', '<< 1.1.1n-0+deb11u5', 'debian')).toBe(true);
    expect(versionInRange('1.1.1n-0+deb11u5', '<< 1.1.1n-0+deb11u5', 'debian')).toBe(false);
    expect(versionInRange('2.30-1', '>= 2.30-1~bpo11+1', 'debian')).toBe(true);
  });

  it("Should answer 'unknown', never a guess, when a side does not read", () => {
    expect(versionInRange('banana', '<2')).toBe('unknown');
    expect(versionInRange('1.0a', '<2')).toBe('unknown');
    expect(versionInRange('1.0', 'latest')).toBe('unknown');
    expect(versionInRange('1.0', '')).toBe('unknown');
    expect(versionInRange('', '<2')).toBe('unknown');
    expect(versionInRange('1.0', '>=')).toBe('unknown');
    expect(versionInRange('1.0', '>= >= 1')).toBe('unknown');
    expect(versionInRange('1.0', '1.0, >=2.0')).toBe('unknown');
    expect(versionInRange('1.2', '<2.0.0', 'semver')).toBe('unknown');
    expect(versionInRange('1.0-1', '<2', 'generic')).toBe('unknown');
    expect(versionInRange(null as unknown as string, '<2')).toBe('unknown');
  });

  it('Should stay fast and safe on huge and hostile ranges', () => {
    const started = performance.now();
    expect(versionInRange('1.0', '<'.repeat(1_000_000))).toBe('unknown');
    expect(versionInRange('1.0', `${'1.0 || '.repeat(290)}2.0`)).toBe(true);
    expect(versionInRange('1.0', ' ,'.repeat(1000))).toBe('unknown');
    expect(versionInRange('1'.repeat(10_000), '<2')).toBe('unknown');
    expect(versionInRange(`1${'.1'.repeat(120)}`, `<1${'.1'.repeat(120)}.2`)).toBe(true);
    expect(versionInRange('1.0', `>=1.0 ${'-'.repeat(2000)}`)).toBe('unknown');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
