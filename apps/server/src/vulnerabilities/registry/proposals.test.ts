import { describe, expect, it } from 'vitest';
import { CpeError } from './cpe.ts';
import { compileRegistry, proposeVendors, WEIGHTS, type RegistryProduct } from './proposals.ts';
import { PurlError } from './purl.ts';

function product(overrides: Partial<RegistryProduct> & { productId: string }): RegistryProduct {
  return {
    organisationId: `org-${overrides.productId}`,
    vendorName: 'Vendor',
    productName: 'Product',
    aliases: [],
    cpes: [],
    purls: [],
    keywords: [],
    ...overrides,
  };
}

const registry: RegistryProduct[] = [
  product({
    productId: 'p-router',
    organisationId: 'org-acme',
    vendorName: 'ACME Corporation',
    productName: 'Router OS',
    aliases: ['ルーターOS'],
    cpes: ['cpe:2.3:a:acme:router_os:*:*:*:*:*:*:*:*'],
    keywords: ['vpn', '脆弱性'],
  }),
  product({
    productId: 'p-switch',
    organisationId: 'org-acme',
    vendorName: 'ACME Corporation',
    productName: 'Switch Manager',
    purls: ['pkg:npm/%40acme/switch-manager'],
  }),
  product({
    productId: 'p-lib',
    organisationId: 'org-pyco',
    vendorName: 'PyCo',
    productName: 'Fast JSON',
    purls: ['pkg:pypi/fast_json'],
    keywords: ['json parser'],
  }),
  product({ productId: 'p-other', organisationId: 'org-other', vendorName: 'Other', productName: 'Unrelated' }),
];

describe('proposeVendors', () => {
  it('Should propose the vendor whose CPE matches, saying which CPE matched which', () => {
    const [first, ...rest] = proposeVendors({
      registry,
      query: { cpe: ['cpe:2.3:a:ACME:router_os:2.1:*:*:*:*:*:*:*'] },
    });
    expect(rest).toEqual([]);
    expect(first).toEqual({
      organisationId: 'org-acme',
      vendorName: 'ACME Corporation',
      score: WEIGHTS.cpeMatch,
      reasons: [
        {
          kind: 'cpe',
          productId: 'p-router',
          weight: WEIGHTS.cpeMatch,
          detail: 'CPE cpe:2.3:a:acme:router_os:*:*:*:*:*:*:*:* matches cpe:2.3:a:acme:router_os:2.1:*:*:*:*:*:*:*',
        },
      ],
    });
  });

  it('Should match purls after the type rules (pypi _ and case), any version', () => {
    const proposals = proposeVendors({ registry, query: { purl: ['pkg:pypi/Fast-JSON@1.2.3'] } });
    expect(proposals.map((proposal) => proposal.organisationId)).toEqual(['org-pyco']);
    expect(proposals[0]?.reasons[0]?.detail).toBe('purl pkg:pypi/fast-json matches pkg:pypi/fast-json@1.2.3');
  });

  it('Should rank exact names above contained ones and list the strongest reasons first', () => {
    const proposals = proposeVendors({
      registry,
      query: { vendorName: 'ＡＣＭＥ', productName: 'router-os', description: 'An SSL-VPN flaw in the web UI.' },
    });
    expect(proposals.map((proposal) => proposal.organisationId)).toEqual(['org-acme']);
    const acme = proposals[0];
    expect(acme?.score).toBe(WEIGHTS.productExact + WEIGHTS.vendorContains + WEIGHTS.keyword);
    expect(acme?.reasons.map((reason) => [reason.kind, reason.detail])).toEqual([
      ['product_name', 'product name "Router OS" equals "router-os"'],
      ['vendor_name', 'vendor name "ACME Corporation" contains "ＡＣＭＥ"'],
      ['keyword', 'keyword "vpn" found in the description'],
    ]);
  });

  it('Should match Japanese aliases and keywords as substrings', () => {
    const proposals = proposeVendors({
      registry,
      query: { productName: 'アクメ製ルーターOS', keywords: ['認証回避の脆弱性'] },
    });
    expect(proposals[0]?.reasons.map((reason) => reason.detail)).toEqual([
      'alias "ルーターOS" appears in "アクメ製ルーターOS"',
      'keyword "脆弱性" found in the keywords',
    ]);
  });

  it('Should order vendors by score, then by how many of their products matched, then by id', () => {
    const proposals = proposeVendors({
      registry,
      query: { purl: ['pkg:npm/%40acme/switch-manager@3.0.0'], keywords: ['JSON parser'] },
    });
    expect(proposals.map((proposal) => [proposal.organisationId, proposal.score])).toEqual([
      ['org-acme', WEIGHTS.purlMatch],
      ['org-pyco', WEIGHTS.keyword],
    ]);
    const tied = proposeVendors({
      registry: [product({ productId: 'b', organisationId: 'b' }), product({ productId: 'a', organisationId: 'a' })],
      query: { productName: 'Product' },
    });
    expect(tied.map((proposal) => proposal.organisationId)).toEqual(['a', 'b']);
  });

  it('Should list a vendor-wide reason once per vendor', () => {
    const many = Array.from({ length: 40 }, (_, index) =>
      product({ productId: `p${index}`, organisationId: 'org-big', vendorName: 'BigCo', keywords: ['camera'] }),
    );
    const [big] = proposeVendors({ registry: many, query: { vendorName: 'BigCo', keywords: ['camera'] } });
    expect(big?.reasons.map((reason) => reason.kind)).toEqual(['vendor_name', 'keyword']);
    expect(big?.score).toBe(WEIGHTS.vendorExact + WEIGHTS.keyword);
  });

  it('Should answer nothing for an empty query or an empty registry', () => {
    expect(proposeVendors({ registry, query: {} })).toEqual([]);
    expect(proposeVendors({ registry: [], query: { productName: 'Router OS' } })).toEqual([]);
  });

  it('Should refuse a malformed CPE or purl in the query with a typed error naming it', () => {
    expect(() => proposeVendors({ registry, query: { cpe: ['cpe:2.3:a:x'] } })).toThrow(CpeError);
    expect(() => proposeVendors({ registry, query: { cpe: ['cpe:2.3:a:x'] } })).toThrow(/query\.cpe\[0\]/);
    expect(() => proposeVendors({ registry, query: { purl: ['npm/x'] } })).toThrow(PurlError);
  });

  it('Should refuse a query of the wrong shape or size with a 400', () => {
    const tooMany = { cpe: Array.from({ length: 201 }, () => 'cpe:/a:acme') };
    expect(() => proposeVendors({ registry, query: tooMany })).toThrow(/at most 200/);
    expect(() => proposeVendors({ registry, query: { productName: 'x'.repeat(1001) } })).toThrow(/at most 1000/);
    expect(() => proposeVendors({ registry, query: { keywords: 'vpn' as unknown as string[] } })).toThrow(/list/);
    expect(() => proposeVendors({ registry, query: { keywords: [1 as unknown as string] } })).toThrow(/text/);
    expect(() => proposeVendors({ registry, query: null as unknown as object })).toThrow(/object/);
  });

  it('Should skip registry entries that do not parse and list them as problems', () => {
    const broken = [product({ productId: 'bad', cpes: ['cpe:nope', 'cpe:/a:good'], purls: ['pkg:'] })];
    const compiled = compileRegistry(broken);
    expect(compiled.problems.map((problem) => [problem.productId, problem.value])).toEqual([
      ['bad', 'cpe:nope'],
      ['bad', 'pkg:'],
    ]);
    expect(proposeVendors({ registry: compiled, query: { cpe: ['cpe:/a:good:thing'] } })).toHaveLength(1);
  });

  it('Should scan a huge hostile description only up to 100 KB, without hanging', () => {
    const description = `${'ﾙｰﾀｰ!!! '.repeat(200_000)} vpn`;
    const started = performance.now();
    const proposals = proposeVendors({ registry, query: { description, productName: '\u0000\uD800 Router OS' } });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(proposals[0]?.reasons.some((reason) => reason.kind === 'keyword')).toBe(false);
    expect(proposals[0]?.reasons[0]?.detail).toBe('product name "Router OS" appears in "\uFFFD Router OS"');
  });
});
