import type { IncidentCategory, TlpLevel } from '@renkei/contract';
import { type XmlElement, XmlRefusedError, findAll, firstText, parseXml } from './safe-xml.ts';

/** What a structured report (IODEF, X-ARF) says, in the shape `createReport` takes. All untrusted input. */
export interface ParsedReport {
  title: string;
  description: string;
  category: IncidentCategory | null;
  tlp: TlpLevel | undefined;
  reporter: { name?: string | undefined; email?: string | undefined; organisation?: string | undefined };
  observables: string[];
}

/** The document is not a report we can read; the message says why (for the 400). */
export class ReportFormatError extends Error {}

const MAX_INCIDENTS = 100;

/** Words in IODEF `Incident@purpose`/`Impact@type`/Description and X-ARF categories, to JPCERT/CC's categories. */
export function categoryFromWords(...words: (string | null | undefined)[]): IncidentCategory | null {
  const text = words.filter(Boolean).join(' ').toLowerCase();
  if (!text) return null;
  if (/phish/.test(text)) return 'phishing';
  if (/defac|改ざん/.test(text)) return 'defacement';
  if (/malware|virus|trojan|botnet|c2|infect|ransom/.test(text)) return 'malware_site';
  if (/scan|probe|brute|login-attempt|recon/.test(text)) return 'scan';
  if (/ddos|\bdos\b|denial|flood/.test(text)) return 'dos';
  if (/\bics\b|scada|control.?system|plc/.test(text)) return 'ics';
  if (/targeted|apt\b/.test(text)) return 'targeted_attack';
  return null;
}

// IODEF v2 `restriction` (RFC 7970 §3.3.1): TLP words map to TLP 2.0; the others to their nearest level.
const RESTRICTION_TLP: Record<string, TlpLevel> = {
  public: 'clear',
  white: 'clear',
  clear: 'clear',
  green: 'green',
  partner: 'amber',
  'need-to-know': 'amber',
  amber: 'amber',
  private: 'red',
  red: 'red',
};

/**
 * Reads an IODEF v2 (RFC 7970) document, and v1 (RFC 5070) where the elements agree: incidents' IDs,
 * descriptions, contacts and every address, domain, URL, e-mail address and hash they name.
 * @example parseIodef(xml).observables // ['192.0.2.1', 'http://evil.example/']
 */
export function parseIodef(text: string): ParsedReport {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlRefusedError) throw new ReportFormatError(error.message);
    throw error;
  }
  if (root.name !== 'IODEF-Document')
    throw new ReportFormatError(`Not an IODEF document: the root element is <${root.name.slice(0, 50)}>, not <IODEF-Document>`);
  const incidents = findAll(root, 'Incident', MAX_INCIDENTS + 1);
  if (incidents.length === 0) throw new ReportFormatError('The IODEF document has no Incident');
  if (incidents.length > MAX_INCIDENTS)
    throw new ReportFormatError(`The IODEF document has more than ${MAX_INCIDENTS} incidents; send them in separate reports`);
  const observables: string[] = [];
  const descriptions: string[] = [];
  const purposes: string[] = [];
  for (const incident of incidents) {
    const id = firstText(incident, 'IncidentID');
    const description = findAll(incident, 'Description', 20)
      .map((d) => d.text.trim())
      .filter(Boolean);
    descriptions.push([id ? `[${id}]` : null, ...description].filter(Boolean).join(' '));
    purposes.push(
      incident.attributes.purpose ?? '',
      ...findAll(incident, 'Impact', 10).map((i) => `${i.attributes.type ?? ''} ${i.text}`),
      ...findAll(incident, 'SystemImpact', 10).map((i) => i.attributes.type ?? ''),
    );
    for (const name of ['Address', 'URL', 'EmailTo', 'Email', 'Name', 'DomainName']) {
      // The contacts are who reports, not what is reported.
      for (const element of findAll(incident, name, 10_000, ['Contact'])) {
        const value = element.text.trim();
        // <Name> appears in DomainData (a domain) but also in contacts; only keep things that look like hosts.
        if (value && (name !== 'Name' || /^[^\s]+\.[^\s]+$/.test(value))) observables.push(value);
        // Email in IODEF v2 wraps EmailTo; v1 has the address as text.
      }
    }
    for (const digest of findAll(incident, 'DigestValue')) {
      const hex = Buffer.from(digest.text.trim(), 'base64').toString('hex');
      if ([32, 40, 64].includes(hex.length)) observables.push(hex);
    }
  }
  const contact = findAll(root, 'Contact', 1)[0];
  const restriction = (incidents[0]!.attributes.restriction ?? root.attributes.restriction ?? '').toLowerCase();
  const firstDescription = descriptions.find(Boolean) ?? '';
  return {
    title: (firstDescription || `IODEF report ${firstText(incidents[0]!, 'IncidentID') ?? ''}`).slice(0, 200),
    description: descriptions.join('\n\n'),
    category: categoryFromWords(...purposes, ...descriptions),
    tlp: RESTRICTION_TLP[restriction],
    reporter: contact
      ? {
          name: firstText(contact, 'ContactName') ?? undefined,
          email: (firstText(contact, 'EmailTo') ?? firstText(contact, 'Email'))?.replace(/^mailto:/i, '') ?? undefined,
          organisation: firstText(contact, 'ContactTitle') ?? undefined,
        }
      : {},
    observables,
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

/**
 * Reads an X-ARF v0.3 JSON report (`ReporterInfo`, `Report` with ReportClass/ReportType, Source/SourceType
 * and optional Samples/Evidence not kept as observables).
 * @example parseXarf03({ Version: '0.3', ReporterInfo: {...}, Report: { ReportType: 'phishing', Source: 'http://x.example/' } })
 */
export function parseXarf03(document: unknown): ParsedReport {
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new ReportFormatError('An X-ARF 0.3 report is a JSON object');
  const doc = document as Record<string, unknown>;
  if (text(doc.Version) !== '0.3') throw new ReportFormatError('Not X-ARF 0.3: "Version" must be "0.3"');
  const report = doc.Report;
  if (!report || typeof report !== 'object' || Array.isArray(report)) throw new ReportFormatError('X-ARF 0.3 needs a "Report" object');
  const r = report as Record<string, unknown>;
  const reporter = (doc.ReporterInfo && typeof doc.ReporterInfo === 'object' ? doc.ReporterInfo : {}) as Record<string, unknown>;
  const source = text(r.Source);
  if (!source) throw new ReportFormatError('X-ARF 0.3 needs "Report.Source"');
  const type = text(r.ReportType) ?? '';
  const klass = text(r.ReportClass) ?? '';
  const extra = ['DestinationIp', 'Destination', 'Url', 'Domain', 'SourceIp'].map((k) => text(r[k])).filter((v): v is string => !!v);
  const description = [
    `X-ARF ${klass}/${type}`,
    text(r.Date) ? `Date: ${text(r.Date)}` : null,
    `Source (${text(r.SourceType) ?? 'unknown'}): ${source}`,
    text(r.Description) ?? null,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    title: `${type || klass || 'X-ARF report'}: ${source}`.slice(0, 200),
    description,
    category: categoryFromWords(type, klass),
    tlp: undefined,
    reporter: {
      name: text(reporter.ReporterOrg),
      email: text(reporter.ReporterOrgEmail) ?? text(reporter.ReporterContactEmail),
      organisation: text(reporter.ReporterOrg),
    },
    observables: [source, ...extra],
  };
}

/**
 * Reads an X-ARF v0.2 mail-style report: the whole message (or only its YAML report part) with
 * `Reported-From`, `Category`/`Report-Type`, `Source-Type` and `Source` lines.
 * @example parseXarf02('X-ARF: Yes\n\n---\nReported-From: abuse@example.net\nCategory: abuse\nReport-Type: phishing\nSource-Type: uri\nSource: http://x.example/\n')
 */
export function parseXarf02(message: string): ParsedReport {
  const fields = new Map<string, string>();
  for (const line of message.slice(0, 1_000_000).split(/\r?\n/)) {
    const match = /^([A-Za-z][A-Za-z0-9-]{0,60}):[ \t]*(.*)$/.exec(line);
    if (match && !fields.has(match[1]!.toLowerCase())) fields.set(match[1]!.toLowerCase(), match[2]!.trim().replace(/^['"]|['"]$/g, ''));
  }
  const source = fields.get('source');
  if (!source) throw new ReportFormatError('Not an X-ARF 0.2 report: no "Source:" line');
  if (!fields.has('report-type') && !fields.has('category') && fields.get('x-arf')?.toLowerCase() !== 'yes')
    throw new ReportFormatError('Not an X-ARF 0.2 report: no "Report-Type:", "Category:" or "X-ARF: Yes"');
  const type = fields.get('report-type') ?? '';
  const from = fields.get('reported-from');
  return {
    title: `${type || fields.get('category') || 'X-ARF report'}: ${source}`.slice(0, 200),
    description: message.slice(0, 100_000),
    category: categoryFromWords(type, fields.get('category')),
    tlp: undefined,
    reporter: { email: from && /^[^\s@]+@[^\s@]+$/.test(from) ? from : undefined, organisation: fields.get('user-agent') ? undefined : undefined },
    observables: [source],
  };
}
