import {
  type CreateOrganisationRequest,
  CERT_TYPES,
  CsirtProfile as CsirtProfileSchema,
  type NetworkKind,
  UpdateOrganisationRequest,
  parseTlp,
} from '@renkei/contract';
import { BadRequestError } from '../kernel/errors.ts';
import type { OrganisationModel } from './contacts.repository.ts';
import { parseCsv } from '../kernel/csv.ts';
import { parseNetworkValue } from './network-values.ts';
import { schemaErrors } from './validation.ts';

/** The organisation fields an import may set; absent = leave as it is. */
export type OrganisationFields = Partial<Omit<CreateOrganisationRequest, 'contactConfirmedAt'>>;

/** One row of a CSV file or one team of a team-directory file, read and checked but not yet matched. */
export interface DirectoryCandidate {
  line: number;
  /** For updating a given organisation (CSV `id` column). */
  id: string | null;
  fields: OrganisationFields;
  networks: { kind: NetworkKind; value: string; abuseEmail: string | null }[];
  errors: string[];
}

export const MAX_IMPORT_TEAMS = 5000;

export const CSV_COLUMNS = [
  'id',
  'name',
  'name_ja',
  'kind',
  'country',
  'contact_email',
  'contact_phone',
  'website',
  'languages',
  'time_zone',
  'preferred_format',
  'tlp_ceiling',
  'pgp_policy',
  'is_national_csirt',
  'notes',
  'networks',
  'abuse_email',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

const list = (text: string): string[] =>
  text
    .split(/[\s;|]+/)
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Reads an organisations CSV (header row of CSV_COLUMNS, any order; `name` required). Empty cells leave a
 * field as it is; `networks` holds AS numbers, prefixes and domains separated by spaces or semicolons.
 * Structural faults throw; per-row problems are reported on the row. `text` is untrusted input.
 * @example csvToCandidates('name,kind,networks\nExample ISP,isp,AS64500 192.0.2.0/24\n')
 */
export function csvToCandidates(text: string): DirectoryCandidate[] {
  const records = parseCsv(text);
  const [header, ...rows] = records;
  if (!header) return [];
  const columns = header.fields.map((name) =>
    name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const unknown = columns.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw headerError(
      `Unknown column(s): ${unknown
        .slice(0, 5)
        .map((name) => `"${name.slice(0, 40)}"`)
        .join(', ')}. Columns: ${CSV_COLUMNS.join(', ')}`,
    );
  if (!columns.includes('name') && !columns.includes('id')) throw headerError('The header needs a "name" column');
  const duplicate = columns.find((name, index) => columns.indexOf(name) !== index);
  if (duplicate) throw headerError(`The column "${duplicate}" appears twice`);
  return rows.map((record) => {
    const errors: string[] = [];
    if (record.fields.length !== columns.length) errors.push(`has ${record.fields.length} fields where the header has ${columns.length}`);
    const cell = (column: CsvColumn): string | undefined => {
      const index = columns.indexOf(column);
      const value = index >= 0 ? record.fields[index]?.trim() : undefined;
      return value === '' ? undefined : value;
    };
    const fields: Record<string, unknown> = {};
    const set = (key: keyof OrganisationFields, value: unknown) => {
      if (value !== undefined) fields[key] = value;
    };
    set('name', cell('name'));
    set('nameJa', cell('name_ja'));
    set('kind', cell('kind')?.toLowerCase());
    set('country', cell('country')?.toUpperCase());
    set('contactEmail', cell('contact_email')?.toLowerCase());
    set('contactPhone', cell('contact_phone'));
    set('website', cell('website'));
    const languages = cell('languages');
    set('languages', languages === undefined ? undefined : list(languages.toLowerCase()));
    set('timeZone', cell('time_zone'));
    set('preferredFormat', cell('preferred_format')?.toLowerCase());
    const ceiling = cell('tlp_ceiling');
    set('tlpCeiling', ceiling === undefined ? undefined : (parseTlp(ceiling) ?? ceiling.toLowerCase()));
    set('pgpPolicy', cell('pgp_policy')?.toLowerCase());
    const national = cell('is_national_csirt')?.toLowerCase();
    if (national !== undefined) {
      if (['true', 'yes', '1', 'y'].includes(national)) fields.isNationalCsirt = true;
      else if (['false', 'no', '0', 'n'].includes(national)) fields.isNationalCsirt = false;
      else errors.push(`is_national_csirt: "${national.slice(0, 20)}" is not yes or no`);
    }
    set('notes', cell('notes'));
    errors.push(...schemaErrors(UpdateOrganisationRequest, fields));
    const abuseEmail = cell('abuse_email')?.toLowerCase() ?? null;
    if (abuseEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(abuseEmail)) errors.push(`abuse_email: "${abuseEmail.slice(0, 60)}" is not an e-mail address`);
    const networks: DirectoryCandidate['networks'] = [];
    const networkCell = cell('networks');
    const networkItems = networkCell ? list(networkCell) : [];
    if (networkItems.length > 500) errors.push('networks: more than 500 on one row');
    for (const item of networkItems.slice(0, 500)) {
      const parsed = parseNetworkValue(item);
      if (parsed.ok) networks.push({ kind: parsed.kind, value: parsed.value, abuseEmail });
      else errors.push(`networks: ${parsed.error}`);
    }
    const id = cell('id') ?? null;
    if (id !== null && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      errors.push(`id: "${id.slice(0, 40)}" is not an organisation ID`);
    if (id === null && fields.name === undefined) errors.push('name is empty');
    return { line: record.line, id: id?.toLowerCase() ?? null, fields: fields, networks, errors };
  });
}

function headerError(message: string): BadRequestError {
  return new BadRequestError('csv_header', message);
}

// ISO 639-2 codes the FIRST examples use, to the two-letter codes stored here.
const LANGUAGE_CODES: Record<string, string> = {
  eng: 'en',
  jpn: 'ja',
  fre: 'fr',
  fra: 'fr',
  ger: 'de',
  deu: 'de',
  spa: 'es',
  por: 'pt',
  ita: 'it',
  dut: 'nl',
  nld: 'nl',
  chi: 'zh',
  zho: 'zh',
  kor: 'ko',
  rus: 'ru',
  ltz: 'lb',
};

/**
 * Reads a FIRST team-directory (global-irt) document: an array of teams or an envelope with `data`.
 * Each team becomes a CSIRT with its profile; a malformed team is rejected alone. `document` is untrusted input.
 * @example teamsToCandidates([{ 'short-team-name': 'CIRCL', 'country-code': 'LU', email: 'info@circl.lu' }])
 */
export function teamsToCandidates(document: unknown): DirectoryCandidate[] {
  const teams = Array.isArray(document)
    ? document
    : isObject(document) && Array.isArray(document.data)
      ? document.data
      : isObject(document)
        ? [document]
        : null;
  if (!teams) throw new BadRequestError('team_directory_malformed', 'Expected a team-directory document: an array of teams or an object with "data"');
  if (teams.length > MAX_IMPORT_TEAMS) throw new BadRequestError('team_directory_too_large', `At most ${MAX_IMPORT_TEAMS} teams per import`);
  return teams.map((team, index) => teamToCandidate(team, index + 1));
}

function teamToCandidate(team: unknown, line: number): DirectoryCandidate {
  if (!isObject(team)) return { line, id: null, fields: {}, networks: [], errors: ['a team must be a JSON object'] };
  const errors: string[] = [];
  const text = (key: string): string | undefined => {
    const value = team[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim() || undefined;
    errors.push(`${key}: expected text`);
    return undefined;
  };
  const texts = (key: string): string[] | undefined => {
    const value = team[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return [value.trim()].filter(Boolean);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.map((item) => item.trim()).filter(Boolean);
    errors.push(`${key}: expected text or a list of text`);
    return undefined;
  };
  const shortName = text('short-team-name');
  const officialName = text('official-team-name');
  const countries = (texts('country-code') ?? []).map((code) => code.toUpperCase());
  const additional = [...countries.slice(1), ...(texts('additional-country-code') ?? []).map((code) => code.toUpperCase())];
  const websites = texts('website');
  const phones = texts('phone-numbers');
  const hoursValue = team['operating-hours'];
  const hours = text('operating-hours-freetext') ?? (typeof hoursValue === 'string' ? hoursValue.trim() || undefined : undefined);
  const certTypes = (texts('cert-type') ?? []).filter((type): type is (typeof CERT_TYPES)[number] => (CERT_TYPES as readonly string[]).includes(type));
  const languages = (texts('languages') ?? []).map((code) => code.toLowerCase()).map((code) => LANGUAGE_CODES[code] ?? code);
  const memberType = text('-first-member-type');
  const descriptionText = text('constituency-description');
  const profile: Record<string, unknown> = {
    shortTeamName: shortName,
    officialTeamName: officialName,
    hostOrganisation: text('host'),
    parentOrganisation: text('parent-organisation'),
    postalAddress: text('postal-address'),
    additionalCountryCodes: additional.length > 0 ? additional : undefined,
    websites,
    phoneNumbers: phones,
    establishment: text('establishment'),
    enckeys: texts('enckeys'),
    operatingHours: hours ? { en: hours } : undefined,
    constituency: text('constituency'),
    constituencyCode: text('constituency-code'),
    constituencyDescription: descriptionText ? { en: descriptionText } : undefined,
    certTypes: certTypes.length > 0 ? certTypes : undefined,
    firstMemberType: memberType === 'Full Member' || memberType === 'Liaison' ? memberType : undefined,
  };
  for (const key of Object.keys(profile)) if (profile[key] === undefined) delete profile[key];
  const name = shortName ?? officialName;
  if (!name) errors.push('short-team-name or official-team-name is required');
  errors.push(...schemaErrors(CsirtProfileSchema, profile).map((error) => `profile${error}`));
  const fields: OrganisationFields = {
    ...(name ? { name: name.slice(0, 300) } : {}),
    kind: 'csirt',
    ...(countries[0] ? { country: countries[0] } : {}),
    ...(text('email') ? { contactEmail: text('email')!.toLowerCase() } : {}),
    ...(phones?.[0] ? { contactPhone: phones[0] } : {}),
    ...(websites?.[0] ? { website: websites[0] } : {}),
    ...(languages.length > 0 ? { languages } : {}),
    ...(certTypes.includes('national') && countries[0] ? { isNationalCsirt: true } : {}),
    csirtProfile: profile,
  };
  errors.push(...schemaErrors(UpdateOrganisationRequest, fields));
  return { line, id: null, fields, networks: [], errors };
}

/**
 * One organisation as a FIRST team-directory entry (global-irt v1 fields plus cert-type and languages), empty values left out.
 * @example organisationToTeam(org, ['CA572205…']) // { 'short-team-name': 'CIRCL', 'country-code': 'LU', … }
 */
export function organisationToTeam(org: OrganisationModel, keyFingerprints: readonly string[]): Record<string, unknown> {
  const profile = org.csirtProfile ?? {};
  const enckeys = [...new Set([...(profile.enckeys ?? []), ...keyFingerprints.map((fingerprint) => `0x${fingerprint}`)])];
  const team: Record<string, unknown> = {
    'short-team-name': profile.shortTeamName ?? org.name,
    'official-team-name': profile.officialTeamName,
    'postal-address': profile.postalAddress,
    'country-code': org.country,
    'additional-country-code': profile.additionalCountryCodes,
    website: profile.websites ?? (org.website ? [org.website] : undefined),
    email: org.contactEmail,
    host: profile.hostOrganisation,
    'parent-organisation': profile.parentOrganisation,
    establishment: profile.establishment,
    'phone-numbers': profile.phoneNumbers ?? (org.contactPhone ? [org.contactPhone] : undefined),
    enckeys,
    'operating-hours': profile.operatingHours?.en,
    constituency: profile.constituency,
    'constituency-code': profile.constituencyCode,
    'constituency-description': profile.constituencyDescription?.en,
    'cert-type': profile.certTypes,
    languages: org.languages,
    '-first-member-type': profile.firstMemberType,
    'source-name': 'Renkei',
    'last-modified': org.updatedAt.toISOString(),
  };
  for (const [key, value] of Object.entries(team)) if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) delete team[key];
  return team;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
