import pkg from 'ae-cvss-calculator';
import { BadRequestError } from '../../kernel/errors.ts';

// From ESM only the default import works: the package is a webpack CommonJS bundle.
const { Cvss3P0, Cvss3P1, Cvss4P0 } = pkg;

export const CVSS_VERSIONS = ['3.0', '3.1', '4.0'] as const;
export type CvssVersion = (typeof CVSS_VERSIONS)[number];
export const CVSS_SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type CvssSeverity = (typeof CVSS_SEVERITIES)[number];

export type CvssErrorCode =
  | 'cvss_not_text'
  | 'cvss_too_long'
  | 'cvss_bad_prefix'
  | 'cvss_unsupported_version'
  | 'cvss_malformed'
  | 'cvss_unknown_metric'
  | 'cvss_bad_value'
  | 'cvss_duplicate_metric'
  | 'cvss_missing_metric';

/** A vector that cannot be scored; the message says which part is wrong. */
export class CvssError extends BadRequestError {
  constructor(
    readonly reason: CvssErrorCode,
    message: string,
  ) {
    super(reason, message);
  }
}

export interface CvssScore {
  version: CvssVersion;
  /** Canonical form: the specification's metric order, Not Defined (`X`) metrics left out. */
  vector: string;
  /** From the base metrics alone (what CSAF calls `baseScore`, what JVN publishes). */
  baseScore: number;
  /** Qualitative rating of `baseScore`. */
  severity: CvssSeverity;
  /** With the temporal/threat and environmental metrics of the vector; equal to `baseScore` without them. */
  overallScore: number;
  overallSeverity: CvssSeverity;
}

export const MAX_CVSS_VECTOR_LENGTH = 512;

type Calculator = InstanceType<typeof Cvss3P0> | InstanceType<typeof Cvss3P1> | InstanceType<typeof Cvss4P0>;

interface VersionGrammar {
  create: (vector: string) => Calculator;
  /** Metric → allowed values, in the specification's order (the calculator's own tables). */
  metrics: Map<string, Set<string>>;
  /** The base metrics: every one is mandatory and may not be X. */
  mandatory: string[];
}

function grammarOf(create: (vector?: string) => Calculator): VersionGrammar {
  const metrics = new Map<string, Set<string>>();
  const mandatory: string[] = [];
  const calculator = create();
  // 4.0 registers its groups in another order than its vector string lists them; 3.x lists them as registered.
  const groups = calculator instanceof Cvss4P0 ? calculator.getVectorStringOrderProperties() : calculator.getRegisteredComponents();
  for (const [category, components] of groups) {
    for (const component of components) {
      metrics.set(component.shortName, new Set(component.values.map((value) => value.shortName)));
      if (category.name === 'base') mandatory.push(component.shortName);
    }
  }
  return { create, metrics, mandatory };
}

const GRAMMARS: Record<CvssVersion, VersionGrammar> = {
  '3.0': grammarOf((vector) => new Cvss3P0(vector)),
  '3.1': grammarOf((vector) => new Cvss3P1(vector)),
  '4.0': grammarOf((vector) => new Cvss4P0(vector)),
};

/**
 * The qualitative rating FIRST gives a score (the same bands in 3.x and 4.0).
 * @example cvssSeverity(9.8) // 'critical'
 */
export function cvssSeverity(score: number): CvssSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

/**
 * Score a CVSS 3.0, 3.1 or 4.0 vector. Metrics may come in any order (the 4.0 specification contradicts
 * itself on order); every base metric must be there once, with a value the version defines.
 * @example scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') // { version: '3.1', baseScore: 9.8, severity: 'critical', … }
 * @throws CvssError naming the wrong part: prefix, metric, value, duplicate, missing metric or length
 */
export function scoreCvss(vector: string): CvssScore {
  const { version, metrics } = parseCvss(vector);
  const grammar = GRAMMARS[version];
  const canonical = canonicalVector(version, metrics);
  // The calculator scores even a half-filled vector (as 0) and lets the last duplicate win, so it only
  // ever sees a vector already checked above.
  const scores = grammar.create(canonical).calculateScores();
  const base = 'baseMetricsOnly' in scores ? scores.baseMetricsOnly : scores.base;
  if (typeof base !== 'number' || !Number.isFinite(base) || !Number.isFinite(scores.overall)) {
    throw new CvssError('cvss_malformed', `The calculator could not score ${canonical}`);
  }
  return {
    version,
    vector: canonical,
    baseScore: base,
    severity: cvssSeverity(base),
    overallScore: scores.overall,
    overallSeverity: cvssSeverity(scores.overall),
  };
}

/**
 * Check a vector without scoring it: its version and metrics (X values kept as written).
 * @throws CvssError as scoreCvss does
 */
export function parseCvss(vector: string): { version: CvssVersion; metrics: Map<string, string> } {
  if (typeof vector !== 'string') throw new CvssError('cvss_not_text', 'A CVSS vector must be text');
  if (vector.length > MAX_CVSS_VECTOR_LENGTH) {
    throw new CvssError('cvss_too_long', `A CVSS vector is at most ${MAX_CVSS_VECTOR_LENGTH} characters; this one has ${vector.length}`);
  }
  const text = vector.trim();
  const prefix = /^CVSS:(\d+\.\d+)\//.exec(text);
  if (!prefix) throw prefixError(text);
  const version = CVSS_VERSIONS.find((known) => known === prefix[1]);
  if (!version) throw new CvssError('cvss_unsupported_version', `CVSS version ${prefix[1]} is not supported (3.0, 3.1 or 4.0)`);
  const grammar = GRAMMARS[version];
  const metrics = new Map<string, string>();
  for (const part of text.slice(prefix[0].length).split('/')) {
    const match = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part);
    if (!match) throw new CvssError('cvss_malformed', `Not a metric: ${JSON.stringify(part.slice(0, 40))} (expected NAME:VALUE between slashes)`);
    const [, name = '', value = ''] = match;
    const allowed = grammar.metrics.get(name);
    if (!allowed) throw new CvssError('cvss_unknown_metric', `CVSS ${version} has no metric ${name}`);
    if (metrics.has(name)) throw new CvssError('cvss_duplicate_metric', `Metric ${name} appears more than once`);
    if (!allowed.has(value) || (value === 'X' && grammar.mandatory.includes(name))) {
      throw new CvssError(
        'cvss_bad_value',
        `${name}:${value} is not a value of CVSS ${version} (allowed: ${[...allowed].filter((v) => v !== 'X' || !grammar.mandatory.includes(name)).join(', ')})`,
      );
    }
    metrics.set(name, value);
  }
  const missing = grammar.mandatory.filter((name) => !metrics.has(name));
  if (missing.length > 0) throw new CvssError('cvss_missing_metric', `Missing base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return { version, metrics };
}

function prefixError(text: string): CvssError {
  if (/^CVSS:/i.test(text)) return new CvssError('cvss_bad_prefix', 'A CVSS vector starts with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ (upper case, then a slash)');
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(text))
    return new CvssError('cvss_unsupported_version', 'CVSS version 2 vectors are not supported (3.0, 3.1 or 4.0)');
  return new CvssError('cvss_bad_prefix', 'A CVSS vector starts with CVSS:3.1/ or CVSS:4.0/');
}

function canonicalVector(version: CvssVersion, metrics: Map<string, string>): string {
  const parts = [`CVSS:${version}`];
  for (const name of GRAMMARS[version].metrics.keys()) {
    const value = metrics.get(name);
    if (value !== undefined && value !== 'X') parts.push(`${name}:${value}`);
  }
  return parts.join('/');
}
