// Which vendors to notify of a new vulnerability case, and why: the registry of vendors' products
// matched against what the finder told us (CPE, purl, product and vendor names, keywords, description).
// Deterministic and explainable: every point of a score is a listed reason saying what matched what.
import { BadRequestError } from '../../kernel/errors.ts';
import { cleanText } from '../../kernel/text.ts';
import { compareCpes, CpeError, formatCpe, parseCpe, type Cpe } from './cpe.ts';
import { compareNames, indexText, keywordIn, normaliseText, type NameRelation, type NormalisedText, type TextIndex } from './names.ts';
import { formatPurl, parsePurl, purlMatches, PurlError, type Purl } from './purl.ts';

/** One product of a vendor (an organisation) as the registry holds it. */
export interface RegistryProduct {
  productId: string;
  organisationId: string;
  vendorName: string;
  productName: string;
  aliases: string[];
  cpes: string[];
  purls: string[];
  keywords: string[];
}

/** What a new case says about the affected product. Every field is untrusted input. */
export interface VendorQuery {
  productName?: string;
  vendorName?: string;
  version?: string;
  cpe?: string[];
  purl?: string[];
  keywords?: string[];
  description?: string;
}

export type ReasonKind = 'cpe' | 'purl' | 'product_name' | 'vendor_name' | 'keyword';

export interface ProposalReason {
  kind: ReasonKind;
  detail: string;
  productId: string;
  /** The points this reason adds to its product's score. */
  weight: number;
}

/** A vendor to notify: its score is that of its best-matching product, each reason names its product. */
export interface VendorProposal {
  organisationId: string;
  vendorName: string;
  score: number;
  reasons: ProposalReason[];
}

/** Points per reason. A product scores the best reason of each kind, plus up to three keywords. */
export const WEIGHTS = {
  cpeMatch: 100,
  purlMatch: 100,
  cpeOverlap: 70,
  productExact: 60,
  productContains: 30,
  vendorExact: 40,
  vendorContains: 20,
  keyword: 10,
} as const;
const MAX_KEYWORD_REASONS = 3;
/** At most this many reasons are listed per vendor (the score is unaffected). */
export const MAX_REASONS_PER_PROPOSAL = 25;
/** The description is scanned up to this many characters. */
export const MAX_DESCRIPTION_SCAN = 100_000;
const MAX_QUERY_LIST = 200;
const MAX_QUERY_TEXT = 1000;
const MAX_QUOTED = 120;

interface CompiledProduct {
  product: RegistryProduct;
  names: { text: NormalisedText; alias: boolean }[];
  vendor: NormalisedText;
  cpes: Cpe[];
  purls: Purl[];
  keywords: NormalisedText[];
}

/** A registry parsed once, for many queries. `problems` lists the entries that did not parse (skipped). */
export interface CompiledRegistry {
  readonly products: readonly CompiledProduct[];
  readonly problems: readonly { productId: string; value: string; message: string }[];
}

function quote(text: string): string {
  const clean = cleanText(text, MAX_QUOTED + 1);
  return JSON.stringify(clean.length > MAX_QUOTED ? `${clean.slice(0, MAX_QUOTED)}…` : clean);
}

/**
 * Parses every CPE and purl and normalises every name and keyword of the registry once. An entry
 * that does not parse is skipped and listed in `problems`, never fatal.
 * @example compileRegistry(products).problems // [] when every CPE and purl is well formed
 */
export function compileRegistry(registry: readonly RegistryProduct[]): CompiledRegistry {
  const problems: { productId: string; value: string; message: string }[] = [];
  const parseAll = <T>(product: RegistryProduct, values: string[], parse: (value: string) => T): T[] =>
    values.flatMap((value) => {
      try {
        return [parse(value)];
      } catch (error) {
        if (!(error instanceof CpeError || error instanceof PurlError)) throw error;
        problems.push({ productId: product.productId, value: cleanText(value, 200), message: error.message });
        return [];
      }
    });
  const products = registry.map((product) => ({
    product,
    names: [{ text: normaliseText(product.productName), alias: false }, ...product.aliases.map((alias) => ({ text: normaliseText(alias), alias: true }))],
    vendor: normaliseText(product.vendorName),
    cpes: parseAll(product, product.cpes, parseCpe),
    purls: parseAll(product, product.purls, parsePurl),
    keywords: product.keywords.map(normaliseText).filter((keyword) => keyword.compact.length >= 2),
  }));
  return { products, problems };
}

interface CompiledQuery {
  productName: NormalisedText | undefined;
  vendorName: NormalisedText | undefined;
  cpes: Cpe[];
  purls: Purl[];
  keywords: TextIndex;
  description: TextIndex;
}

function checkedList(values: string[] | undefined, field: string): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw new BadRequestError('invalid_query', `query.${field} must be a list`);
  if (values.length > MAX_QUERY_LIST) {
    throw new BadRequestError('query_too_large', `query.${field} holds at most ${MAX_QUERY_LIST} entries`);
  }
  return values.map((value, index) => {
    if (typeof value !== 'string') throw new BadRequestError('invalid_query', `query.${field}[${index}] must be text`);
    return value;
  });
}

function checkedText(value: string | undefined, field: string): NormalisedText | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestError('invalid_query', `query.${field} must be text`);
  if (value.length > MAX_QUERY_TEXT) {
    throw new BadRequestError('query_too_large', `query.${field} is at most ${MAX_QUERY_TEXT} characters`);
  }
  return normaliseText(value);
}

function parseEach<T>(values: string[], field: string, parse: (value: string) => T): T[] {
  return values.map((value, index) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof CpeError) throw new CpeError(`query.${field}[${index}]: ${error.message}`);
      if (error instanceof PurlError) throw new PurlError(`query.${field}[${index}]: ${error.message}`);
      throw error;
    }
  });
}

function compileQuery(query: VendorQuery): CompiledQuery {
  if (typeof query !== 'object' || query === null) throw new BadRequestError('invalid_query', 'query must be an object');
  checkedText(query.version, 'version');
  const description = typeof query.description === 'string' ? query.description : '';
  return {
    productName: checkedText(query.productName, 'productName'),
    vendorName: checkedText(query.vendorName, 'vendorName'),
    cpes: parseEach(checkedList(query.cpe, 'cpe'), 'cpe', parseCpe),
    purls: parseEach(checkedList(query.purl, 'purl'), 'purl', parsePurl),
    keywords: indexText(checkedList(query.keywords, 'keywords').join('\n')),
    description: indexText(description.slice(0, MAX_DESCRIPTION_SCAN)),
  };
}

type Found = Omit<ProposalReason, 'productId'>;

function cpeReason(entry: CompiledProduct, query: CompiledQuery): Found | undefined {
  let top: { pattern: Cpe; candidate: Cpe; matched: boolean } | undefined;
  for (const pattern of entry.cpes) {
    for (const candidate of query.cpes) {
      const relation = compareCpes(pattern, candidate);
      if (relation === 'disjoint' || relation === 'undefined') continue;
      const matched = relation === 'equal' || relation === 'superset';
      if (!top || (matched && !top.matched)) top = { pattern, candidate, matched };
    }
  }
  if (!top) return undefined;
  const detail = `CPE ${formatCpe(top.pattern)} ${top.matched ? 'matches' : 'overlaps'} ${formatCpe(top.candidate)}`;
  return { kind: 'cpe', detail, weight: top.matched ? WEIGHTS.cpeMatch : WEIGHTS.cpeOverlap };
}

function purlReason(entry: CompiledProduct, query: CompiledQuery): Found | undefined {
  for (const registryPurl of entry.purls) {
    for (const candidate of query.purls) {
      if (!purlMatches(registryPurl, candidate)) continue;
      const detail = `purl ${formatPurl(registryPurl)} matches ${formatPurl(candidate)}`;
      return { kind: 'purl', detail, weight: WEIGHTS.purlMatch };
    }
  }
  return undefined;
}

function describeRelation(registry: NormalisedText, relation: NameRelation, asked: NormalisedText): string {
  const verb = relation === 'exact' ? 'equals' : relation === 'within' ? 'appears in' : 'contains';
  return `${quote(registry.original)} ${verb} ${quote(asked.original)}`;
}

function productNameReason(entry: CompiledProduct, query: CompiledQuery): Found | undefined {
  const asked = query.productName;
  if (!asked) return undefined;
  let top: { text: NormalisedText; alias: boolean; relation: NameRelation } | undefined;
  for (const { text, alias } of entry.names) {
    const relation = compareNames(text, asked);
    if (relation === 'none' || (top && (top.relation === 'exact' || relation !== 'exact'))) continue;
    top = { text, alias, relation };
  }
  if (!top) return undefined;
  const which = top.alias ? 'alias' : 'product name';
  const weight = top.relation === 'exact' ? WEIGHTS.productExact : WEIGHTS.productContains;
  return { kind: 'product_name', detail: `${which} ${describeRelation(top.text, top.relation, asked)}`, weight };
}

function vendorNameReason(entry: CompiledProduct, query: CompiledQuery): Found | undefined {
  const asked = query.vendorName;
  if (!asked) return undefined;
  const relation = compareNames(entry.vendor, asked);
  if (relation === 'none') return undefined;
  const weight = relation === 'exact' ? WEIGHTS.vendorExact : WEIGHTS.vendorContains;
  return { kind: 'vendor_name', detail: `vendor name ${describeRelation(entry.vendor, relation, asked)}`, weight };
}

/** Adds up to MAX_KEYWORD_REASONS keyword reasons to `found`; `seen` remembers each keyword's answer for the query. */
function addKeywordReasons(entry: CompiledProduct, query: CompiledQuery, seen: Map<string, string | null>, found: Found[]): void {
  let added = 0;
  for (const keyword of entry.keywords) {
    let detail = seen.get(keyword.compact);
    if (detail === undefined) {
      const where = keywordIn(query.keywords, keyword) ? 'the keywords' : keywordIn(query.description, keyword) ? 'the description' : undefined;
      detail = where ? `keyword ${quote(keyword.original)} found in ${where}` : null;
      seen.set(keyword.compact, detail);
    }
    if (detail === null || found.some((reason) => reason.detail === detail)) continue;
    found.push({ kind: 'keyword', detail, weight: WEIGHTS.keyword });
    if (++added === MAX_KEYWORD_REASONS) break;
  }
}

const KIND_ORDER: Record<ReasonKind, number> = { cpe: 0, purl: 1, product_name: 2, vendor_name: 3, keyword: 4 };

function byStrength(a: ProposalReason, b: ProposalReason): number {
  return (
    b.weight - a.weight ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0) ||
    (a.detail < b.detail ? -1 : a.detail > b.detail ? 1 : 0)
  );
}

interface Gathering {
  proposal: VendorProposal;
  products: number;
}

function addToProposal(gathered: Map<string, Gathering>, product: RegistryProduct, reasons: Found[]): void {
  const score = reasons.reduce((sum, reason) => sum + reason.weight, 0);
  let entry = gathered.get(product.organisationId);
  if (!entry) {
    const proposal = { organisationId: product.organisationId, vendorName: product.vendorName, score: 0, reasons: [] };
    entry = { proposal, products: 0 };
    gathered.set(product.organisationId, entry);
  }
  entry.products++;
  if (score > entry.proposal.score) {
    entry.proposal.score = score;
    entry.proposal.vendorName = product.vendorName;
  }
  for (const reason of reasons) entry.proposal.reasons.push({ ...reason, productId: product.productId });
}

/** One vendor-wide reason (a vendor name, a keyword) is listed once per vendor, under its first product. */
function finishReasons(reasons: ProposalReason[]): ProposalReason[] {
  const seen = new Set<string>();
  return reasons
    .sort(byStrength)
    .filter((reason) => {
      if (reason.kind !== 'vendor_name' && reason.kind !== 'keyword') return true;
      if (seen.has(reason.detail)) return false;
      seen.add(reason.detail);
      return true;
    })
    .slice(0, MAX_REASONS_PER_PROPOSAL);
}

/**
 * Proposes the vendors to notify, strongest first. Throws CpeError/PurlError (400) for a malformed CPE
 * or purl in the query, BadRequestError for a query of the wrong shape or size; skips registry entries
 * that do not parse (see compileRegistry). Pass a CompiledRegistry to match many queries against one registry.
 * @example proposeVendors({ registry, query: { cpe: ['cpe:2.3:a:acme:router_os:2.1:*:*:*:*:*:*:*'] } })[0]?.reasons[0]?.detail
 * // 'CPE cpe:2.3:a:acme:router_os:*:*:*:*:*:*:*:* matches cpe:2.3:a:acme:router_os:2.1:*:*:*:*:*:*:*'
 */
export function proposeVendors(input: { registry: readonly RegistryProduct[] | CompiledRegistry; query: VendorQuery }): VendorProposal[] {
  const query = compileQuery(input.query);
  const registry = 'products' in input.registry ? input.registry : compileRegistry(input.registry);
  const keywordsSeen = new Map<string, string | null>();
  const gathered = new Map<string, Gathering>();
  const found: Found[] = [];
  for (const entry of registry.products) {
    found.length = 0;
    for (const reason of [
      query.cpes.length > 0 ? cpeReason(entry, query) : undefined,
      query.purls.length > 0 ? purlReason(entry, query) : undefined,
      productNameReason(entry, query),
      vendorNameReason(entry, query),
    ]) {
      if (reason) found.push(reason);
    }
    addKeywordReasons(entry, query, keywordsSeen, found);
    if (found.length > 0) addToProposal(gathered, entry.product, found);
  }
  const entries = [...gathered.values()];
  for (const { proposal } of entries) proposal.reasons = finishReasons(proposal.reasons);
  entries.sort((a, b) => b.proposal.score - a.proposal.score || b.products - a.products || (a.proposal.organisationId < b.proposal.organisationId ? -1 : 1));
  return entries.map(({ proposal }) => proposal);
}
