// Package URLs (purl): parsed and normalised by packageurl-js 2, which applies the per-type rules of the
// purl spec (npm, pypi, github, deb… names lower-cased; pypi `_` → `-`). PyPI names are further folded
// as PEP 503 does (runs of `-`, `_`, `.` → `-`), so `zope.interface` and `zope-interface` are one package.
import { PackageURL } from 'packageurl-js';
import { BadRequestError } from '../../kernel/errors.ts';
import type { VersionScheme } from './versions.ts';

/** Longest purl accepted. */
export const MAX_PURL_LENGTH = 4096;

/** A malformed package URL, with the reason. */
export class PurlError extends BadRequestError {
  constructor(message: string) {
    super('invalid_purl', message);
  }
}

/** A normalised package URL. */
export interface Purl {
  readonly type: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly version: string | undefined;
  readonly qualifiers: Readonly<Record<string, string>> | undefined;
  readonly subpath: string | undefined;
}

function pep503(name: string): string {
  let folded = '';
  for (const char of name.toLowerCase()) {
    const separator = char === '-' || char === '_' || char === '.';
    if (!separator) folded += char;
    else if (!folded.endsWith('-')) folded += '-';
  }
  return folded;
}

function orUndefined(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

/**
 * Parses and normalises a package URL. Throws PurlError (400 `invalid_purl`) when it is not one.
 * @example parsePurl('pkg:pypi/Django_REST.framework@3.15').name // 'django-rest-framework'
 */
export function parsePurl(input: string): Purl {
  if (typeof input !== 'string') throw new PurlError('A package URL must be a string');
  if (input.length > MAX_PURL_LENGTH) throw new PurlError(`A package URL is at most ${MAX_PURL_LENGTH} characters`);
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(input.trim());
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable';
    throw new PurlError(reason.startsWith('Invalid purl') ? reason : `Invalid purl: ${reason}`);
  }
  const type = parsed.type.toLowerCase();
  return {
    type,
    namespace: orUndefined(parsed.namespace),
    name: type === 'pypi' ? pep503(parsed.name) : parsed.name,
    version: orUndefined(parsed.version),
    qualifiers: parsed.qualifiers && Object.keys(parsed.qualifiers).length > 0 ? { ...parsed.qualifiers } : undefined,
    subpath: orUndefined(parsed.subpath),
  };
}

/**
 * The canonical string of a parsed purl.
 * @example formatPurl(parsePurl('pkg:NPM/%40Angular/Core@1.0.0')) // 'pkg:npm/%40angular/core@1.0.0'
 */
export function formatPurl(purl: Purl): string {
  return new PackageURL(purl.type, purl.namespace, purl.name, purl.version, purl.qualifiers ? { ...purl.qualifiers } : undefined, purl.subpath).toString();
}

/** The package's identity without version, qualifiers or subpath: `type/namespace/name`. */
export function purlPackageKey(purl: Purl): string {
  return `${purl.type}/${purl.namespace ?? ''}/${purl.name}`;
}

/**
 * Whether a registry entry names the candidate's package: same type, namespace and name after the
 * type's normalisation. A registry entry without a version matches every version; with one, it
 * matches a candidate of that exact version or a candidate without a version. Qualifiers and
 * subpath are not compared (a vendor's package is theirs on every architecture).
 * @example purlMatches('pkg:npm/lodash', 'pkg:npm/Lodash@4.17.20') // true
 */
export function purlMatches(registryPurl: string | Purl, candidate: string | Purl): boolean {
  const entry = typeof registryPurl === 'string' ? parsePurl(registryPurl) : registryPurl;
  const target = typeof candidate === 'string' ? parsePurl(candidate) : candidate;
  if (purlPackageKey(entry) !== purlPackageKey(target)) return false;
  return entry.version === undefined || target.version === undefined || entry.version === target.version;
}

/**
 * How versions of a purl type are ordered, for versionInRange.
 * @example purlVersionScheme('deb') // 'debian'
 */
export function purlVersionScheme(type: string): VersionScheme {
  switch (type.toLowerCase()) {
    case 'deb':
      return 'debian';
    case 'npm':
    case 'cargo':
    case 'golang':
      return 'semver';
    default:
      return 'auto';
  }
}
