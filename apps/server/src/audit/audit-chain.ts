import { createHash } from 'node:crypto';

/** The fields of an entry that its hash covers, in the form they have after a round trip through jsonb. */
export interface ChainedContent {
  seq: number;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  requestId: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of an entry: SHA-256 over the previous hash and the entry's canonical JSON.
 * @example entryHash(GENESIS_HASH, { seq: 1, at: '2026-01-01T00:00:00.000Z', ... })
 */
export function entryHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A value as jsonb will give it back: Dates to ISO strings, undefined dropped. */
export function asStoredJson(value: unknown): unknown {
  return value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}
