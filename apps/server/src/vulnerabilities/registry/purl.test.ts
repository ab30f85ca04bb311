import { describe, expect, it } from 'vitest';
import { formatPurl, parsePurl, PurlError, purlMatches, purlVersionScheme } from './purl.ts';

describe('parsePurl', () => {
  it('Should read every component of a purl-spec example', () => {
    expect(parsePurl('pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?packaging=sources#sub/dir')).toEqual({
      type: 'maven',
      namespace: 'org.apache.xmlgraphics',
      name: 'batik-anim',
      version: '1.9.1',
      qualifiers: { packaging: 'sources' },
      subpath: 'sub/dir',
    });
  });

  it('Should apply the per-type case rules: npm, deb, github lower-cased; maven and golang kept', () => {
    expect(formatPurl(parsePurl('pkg:NPM/%40Angular/Core@1.0.0'))).toBe('pkg:npm/%40angular/core@1.0.0');
    expect(parsePurl('pkg:deb/debian/OpenSSL@1.1.1n-0+deb11u4?arch=amd64').name).toBe('openssl');
    expect(parsePurl('pkg:github/Package-URL/Purl-Spec').namespace).toBe('package-url');
    expect(parsePurl('pkg:maven/org.Apache/Log4J@2.0').name).toBe('Log4J');
    expect(parsePurl('pkg:golang/github.com/Foo/Bar@v1.2.3').namespace).toBe('github.com/Foo');
  });

  it('Should fold PyPI names as PEP 503 does', () => {
    expect(parsePurl('pkg:pypi/Django_REST__framework@3.15').name).toBe('django-rest-framework');
    expect(parsePurl('pkg:pypi/zope.interface').name).toBe('zope-interface');
  });

  it('Should refuse malformed purls with a PurlError, never a crash', () => {
    for (const bad of ['', 'npm/foo', 'pkg:', 'pkg:npm/', 'pkg:npm/foo@%zz', 'pkg:n pm/foo', 'pkg:npm/%E0%A4%A']) {
      expect(() => parsePurl(bad)).toThrow(PurlError);
    }
    expect(() => parsePurl(7 as unknown as string)).toThrow(/must be a string/);
    try {
      parsePurl('pkg:');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'invalid_purl' });
    }
  });

  it('Should refuse a huge purl before parsing it', () => {
    const started = performance.now();
    expect(() => parsePurl(`pkg:npm/${'a/'.repeat(500_000)}x`)).toThrow(/at most 4096/);
    expect(() => parsePurl(`pkg:npm/x?${'a=b&'.repeat(1000)}`)).not.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('purlMatches', () => {
  it('Should match any version when the registry entry has none', () => {
    expect(purlMatches('pkg:npm/lodash', 'pkg:npm/Lodash@4.17.20')).toBe(true);
    expect(purlMatches('pkg:pypi/django_rest_framework', 'pkg:pypi/Django-REST-Framework@3.0')).toBe(true);
    expect(purlMatches('pkg:deb/debian/openssl', 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=arm64')).toBe(true);
  });

  it('Should match a registry version only to the same version or to a candidate without one', () => {
    expect(purlMatches('pkg:npm/lodash@4.17.20', 'pkg:npm/lodash@4.17.20')).toBe(true);
    expect(purlMatches('pkg:npm/lodash@4.17.20', 'pkg:npm/lodash')).toBe(true);
    expect(purlMatches('pkg:npm/lodash@4.17.20', 'pkg:npm/lodash@4.17.21')).toBe(false);
  });

  it('Should not match another type, namespace or name', () => {
    expect(purlMatches('pkg:npm/lodash', 'pkg:pypi/lodash')).toBe(false);
    expect(purlMatches('pkg:npm/%40acme/core', 'pkg:npm/core')).toBe(false);
    expect(purlMatches('pkg:deb/debian/openssl', 'pkg:deb/ubuntu/openssl')).toBe(false);
    expect(purlMatches('pkg:maven/org.apache/log4j', 'pkg:maven/org.apache/Log4J')).toBe(false);
  });

  it('Should throw a PurlError for a malformed side', () => {
    expect(() => purlMatches('pkg:npm/lodash', 'lodash')).toThrow(PurlError);
  });
});

describe('purlVersionScheme', () => {
  it('Should order deb versions as dpkg does and npm as semver', () => {
    expect(purlVersionScheme('deb')).toBe('debian');
    expect(purlVersionScheme('npm')).toBe('semver');
    expect(purlVersionScheme('maven')).toBe('auto');
  });
});
