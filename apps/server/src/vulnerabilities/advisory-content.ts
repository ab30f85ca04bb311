import { ADVISORY_LIMITS, type AdvisoryContent, type AdvisorySections } from '@renkei/contract';
import { BadRequestError, PayloadTooLargeError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { VENDOR_STATUS_LABELS, cweName, isVendorStatus } from './catalogue/index.ts';
import type { CaseRow, CaseVulnerabilityRow, ParticipantRow, StatusRow } from './cases.repository.ts';

/** What the first draft is made of: the case, its rows, the organisations' names and the finder's credit wishes. */
export interface DraftSource {
  row: CaseRow;
  vulnerabilities: readonly CaseVulnerabilityRow[];
  participants: readonly ParticipantRow[];
  statuses: readonly StatusRow[];
  names: ReadonlyMap<string, { name: string; nameJa: string | null }>;
  credit: { name: string | null; organisation: string | null; anonymous: boolean } | null;
}

type Lang = 'ja' | 'en';
const AFFECTED = new Set(['vulnerable', 'vulnerable_investigating']);

const WORDS = {
  ja: {
    overview: (title: string, n: number) => `${title}には、次の${n}件の脆弱性が存在します。`,
    noVulnerabilities: (title: string) => `${title}に関する脆弱性情報です。`,
    solution: '開発者が提供する情報をもとに、最新版へアップデートしてください。',
    fixed: (vendor: string, versions: string) => `${vendor}: ${versions} で修正されています。`,
    anonymous: 'この脆弱性情報は、匿名を希望する報告者から報告されました。',
    credit: (who: string) => `この脆弱性情報は、${who} 氏が報告しました。`,
    unnamed: '',
  },
  en: {
    overview: (title: string, n: number) => `${title} contains ${n === 1 ? 'the following vulnerability' : `the following ${n} vulnerabilities`}.`,
    noVulnerabilities: (title: string) => `Vulnerability information about ${title}.`,
    solution: 'Update to the latest version according to the information provided by the developer.',
    fixed: (vendor: string, versions: string) => `${vendor}: fixed in ${versions}.`,
    anonymous: 'This vulnerability was reported by a finder who wishes to remain anonymous.',
    credit: (who: string) => `${who} reported this vulnerability.`,
    unnamed: '',
  },
} as const;

const score = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The credit line: nobody by name when the finder asked for anonymity, else the name and organisation they gave. */
function creditLine(lang: Lang, credit: DraftSource['credit']): string {
  if (!credit) return '';
  if (credit.anonymous) return WORDS[lang].anonymous;
  const who = [credit.name, credit.organisation ? `(${credit.organisation})` : null].filter(Boolean).join(' ');
  return who ? WORDS[lang].credit(who) : WORDS[lang].unnamed;
}

function sections(lang: Lang, source: DraftSource): AdvisorySections {
  const { row, vulnerabilities, statuses, names } = source;
  const title = lang === 'ja' ? (row.title_ja ?? row.title) : row.title;
  const vulnTitle = (v: CaseVulnerabilityRow) => (lang === 'ja' ? (v.title_ja ?? v.title) : v.title);
  const vendorName = (id: string) => {
    const found = names.get(id);
    return (lang === 'ja' ? (found?.nameJa ?? found?.name) : found?.name) ?? id;
  };
  const byVulnerability = new Map(vulnerabilities.map((v) => [v.id, v]));
  // A vendor's row without a product (seeded when it was added) gives way to its rows naming products.
  const named = new Set(statuses.filter((s) => s.product_name !== '').map((s) => `${s.vulnerability_id}/${s.organisation_id}`));
  const rows = statuses
    .filter((s) => byVulnerability.has(s.vulnerability_id))
    .filter((s) => s.product_name !== '' || !named.has(`${s.vulnerability_id}/${s.organisation_id}`))
    .toSorted((a, b) => vendorName(a.organisation_id).localeCompare(vendorName(b.organisation_id)) || a.product_name.localeCompare(b.product_name));
  const affected = [
    ...new Set(rows.filter((s) => AFFECTED.has(s.status)).map((s) => [vendorName(s.organisation_id), s.product_name].filter(Boolean).join(' '))),
  ];
  const fixed = rows.filter((s) => s.fixed_versions !== '').map((s) => WORDS[lang].fixed(vendorName(s.organisation_id), s.fixed_versions));
  const cves = vulnerabilities.flatMap((v) => (v.cve_id ? [v.cve_id] : []));
  const vendorReferences = [...new Set(rows.flatMap((s) => s.references))];
  return {
    title,
    overview: vulnerabilities.length > 0 ? WORDS[lang].overview(title, vulnerabilities.length) : WORDS[lang].noVulnerabilities(title),
    affectedProducts: affected,
    description: vulnerabilities
      .map((v) => [`${vulnTitle(v)}${v.cwe_id ? ` (${v.cwe_id})` : ''}${v.cve_id ? ` - ${v.cve_id}` : ''}`, v.description].filter(Boolean).join('\n'))
      .join('\n\n'),
    impact: '',
    solution: [WORDS[lang].solution, ...fixed].join('\n'),
    vendorInformation: rows.map((s) => ({
      organisationId: s.organisation_id,
      vendor: vendorName(s.organisation_id),
      vulnerability: vulnTitle(byVulnerability.get(s.vulnerability_id)!),
      product: s.product_name,
      status: s.status,
      statusLabel: isVendorStatus(s.status) ? VENDOR_STATUS_LABELS[s.status][lang] : s.status,
      fixedVersions: s.fixed_versions,
      statement: lang === 'ja' ? s.statement_ja || s.statement : s.statement || s.statement_ja,
    })),
    references: [
      ...cves.map((cve) => ({ title: cve, url: `https://www.cve.org/CVERecord?id=${cve}` })),
      ...vendorReferences.filter(isWebAddress).map((url) => ({ title: url, url })),
    ],
    coordinatorNotes: '',
    cvss: vulnerabilities.flatMap((v) => [
      ...(v.cvss40_vector ? [{ vulnerability: vulnTitle(v), version: '4.0', vector: v.cvss40_vector, score: score(v.cvss40_score) }] : []),
      ...(v.cvss31_vector ? [{ vulnerability: vulnTitle(v), version: '3.1', vector: v.cvss31_vector, score: score(v.cvss31_score) }] : []),
    ]),
    cwe: vulnerabilities.flatMap((v) => (v.cwe_id ? [{ vulnerability: vulnTitle(v), id: v.cwe_id, name: cweName(v.cwe_id) ?? '' }] : [])),
    credit: creditLine(lang, source.credit),
    history: [],
  };
}

/**
 * The generated first draft of a case's advisory in both languages: the vulnerabilities with their CWE
 * names and CVSS scores, each vendor's statuses as the vendor information table (JVN's labels), the
 * finder's credit as they asked for it. Staff then edit it into revisions.
 */
export function draftContent(source: DraftSource): AdvisoryContent {
  return { ja: sections('ja', source), en: sections('en', source) };
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Every string of a value, cleaned for storage (NUL dropped, lone surrogates replaced), shape kept. */
function cleanStrings<T>(value: T, max: number): T {
  if (typeof value === 'string') return cleanText(value, max) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => cleanStrings(item, max)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cleanStrings(item, max)])) as T;
  }
  return value;
}

/**
 * Edited content made storable: strings cleaned (markup is kept as the characters it is: the advisory is
 * text, never HTML), references only to http(s) addresses, and the whole document within the size limit.
 * @throws BadRequestError for a reference that is not a web address; PayloadTooLargeError past the limit
 */
export function cleanEditedContent(content: AdvisoryContent): AdvisoryContent {
  const cleaned = cleanStrings(content, ADVISORY_LIMITS.text);
  for (const lang of ['ja', 'en'] as const) {
    cleaned[lang].references.forEach((reference, index) => {
      if (!isWebAddress(reference.url))
        throw new BadRequestError('invalid_reference_url', `${lang}.references[${index}]: a reference is an http or https address`);
    });
  }
  const bytes = Buffer.byteLength(JSON.stringify(cleaned));
  if (bytes > ADVISORY_LIMITS.documentBytes)
    throw new PayloadTooLargeError('advisory_too_large', `An advisory is at most ${ADVISORY_LIMITS.documentBytes} bytes as JSON; this one is ${bytes}`);
  return cleaned;
}
