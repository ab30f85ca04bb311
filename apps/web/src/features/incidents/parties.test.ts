import type { LookupAnswer } from '@renkei/contract';
import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.ts';
import { proposedParties } from './parties.ts';

const none = { value: null, source: null, date: null, confidence: null };
const sourced = <T>(value: T, source = 'directory') => ({ value, source, date: '2026-11-26', confidence: 'high' as const });
const answer = (overrides: Partial<LookupAnswer>): LookupAnswer => ({
  input: '198.51.100.7',
  kind: 'ip',
  error: null,
  normalized: '198.51.100.7',
  display: '198.51.100.7',
  note: null,
  prefix: none,
  asn: none,
  asName: none,
  country: none,
  organisation: none,
  abuseContact: none,
  nationalCsirt: none,
  online: [],
  ...overrides,
});

describe('proposedParties', () => {
  it('Should propose the holder of a domestic host with its abuse address, and no national CSIRT', () => {
    const parties = proposedParties([
      answer({
        country: sourced('JP'),
        organisation: sourced({ id: '00000000-0000-4000-8000-000000000001', name: 'Example Hosting' }),
        abuseContact: sourced('abuse@isp.example'),
        nationalCsirt: sourced({ id: '00000000-0000-4000-8000-000000000002', name: 'JPCERT/CC', email: 'info@jpcert.example', country: 'JP' }),
      }),
    ]);
    expect(parties).toEqual([{ role: 'isp', name: 'Example Hosting', email: 'abuse@isp.example', country: 'JP', host: '198.51.100.7', source: 'directory' }]);
  });

  it('Should add the national CSIRT for a foreign host, and fall back to the AS name when no organisation holds it', () => {
    const parties = proposedParties([
      answer({
        country: sourced('US', 'rir:arin'),
        asName: sourced('FOREIGN-NET', 'ip2asn:x.tsv'),
        abuseContact: sourced('abuse@foreign.example', 'rdap:rdap.arin.net'),
        nationalCsirt: sourced({ id: '00000000-0000-4000-8000-000000000003', name: 'US-CERT', email: 'cert@us.example', country: 'US' }),
      }),
      answer({ kind: 'invalid', input: 'not a host', normalized: null, display: null, error: 'bad' }),
    ]);
    expect(parties.map((p) => `${p.role} ${p.name} ${p.email} ${p.source}`)).toEqual([
      'isp FOREIGN-NET abuse@foreign.example rdap:rdap.arin.net',
      'foreign_csirt US-CERT cert@us.example directory',
    ]);
  });
});

describe('formatDuration', () => {
  it('Should write days only when there are any', () => {
    expect(formatDuration(0)).toBe('0h 0m');
    expect(formatDuration(3 * 3600 + 25 * 60)).toBe('3h 25m');
    expect(formatDuration(93_600)).toBe('1d 2h 0m');
  });
});
