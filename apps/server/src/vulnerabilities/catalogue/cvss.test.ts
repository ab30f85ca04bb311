import { describe, expect, it } from 'vitest';
import { CvssError, cvssSeverity, parseCvss, scoreCvss, type CvssErrorCode } from './cvss.ts';

// Vectors and scores from FIRST's published examples for CVSS 3.1 and 4.0.
const FIRST_EXAMPLES: [string, number, string][] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'medium'],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4, 'medium'],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'high'],
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8, 'medium'],
  ['CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'none'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'critical'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'critical'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9, 'medium'],
  ['CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3, 'high'],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7, 'high'],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N', 8.3, 'high'],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6, 'medium'],
];

function codeOf(vector: unknown): CvssErrorCode | 'no error' {
  try {
    scoreCvss(vector as string);
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(CvssError);
    return (error as CvssError).reason;
  }
}

describe('scoreCvss on FIRST examples', () => {
  it.each(FIRST_EXAMPLES)('Should score %s as %d (%s)', (vector, score, severity) => {
    expect(scoreCvss(vector)).toMatchObject({ version: vector.slice(5, 8), vector, baseScore: score, severity, overallScore: score });
  });

  it('Should keep the base score apart from the threat and environmental score', () => {
    const threat = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U');
    expect(threat).toMatchObject({ baseScore: 7.7, severity: 'high', overallScore: 5.2, overallSeverity: 'medium' });
    const environmental = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L');
    expect(environmental).toMatchObject({ baseScore: 8.3, overallScore: 8.1 });
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C')).toMatchObject({ baseScore: 9.8, overallScore: 8.5 });
  });

  it('Should score a CVSS 3.0 vector with the 3.0 calculator and say so', () => {
    const tail = '/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/MAV:N/MAC:L/MPR:N/MUI:N/MS:C/MC:H/MI:H/MA:H/CR:H/IR:H/AR:H';
    expect(scoreCvss(`CVSS:3.0${tail}`)).toMatchObject({ version: '3.0', baseScore: 10, severity: 'critical' });
    expect(scoreCvss('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').baseScore).toBe(9.8);
  });
});

describe('scoreCvss normalisation', () => {
  it('Should put metrics in the specification order and leave out Not Defined values', () => {
    expect(scoreCvss(' CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:X ').vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    // 4.0 order: base, threat, security requirements, modified base, supplemental.
    const v4 = scoreCvss('CVSS:4.0/U:Red/MAV:A/CR:H/E:P/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N/MAC:X');
    expect(v4.vector).toBe('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:H/MAV:A/U:Red');
  });

  it('Should answer the same score for a vector and its normalised form', () => {
    for (const [vector] of FIRST_EXAMPLES) expect(scoreCvss(scoreCvss(vector).vector).vector).toBe(vector);
  });
});

describe('scoreCvss refusals', () => {
  it('Should name a wrong or missing prefix', () => {
    expect(codeOf('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_bad_prefix');
    expect(codeOf('cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_bad_prefix');
    expect(codeOf('CVSS:3.1')).toBe('cvss_bad_prefix');
    expect(codeOf('')).toBe('cvss_bad_prefix');
    expect(codeOf('CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe('cvss_unsupported_version');
    expect(codeOf('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe('cvss_unsupported_version');
    expect(codeOf('CVSS:5.0/AV:N')).toBe('cvss_unsupported_version');
  });

  it('Should name an unknown metric, a bad value and a metric of another version', () => {
    expect(() => scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:N')).toThrow('CVSS 3.1 has no metric ZZ');
    expect(codeOf('CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_unknown_metric');
    expect(codeOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U')).toBe('cvss_bad_value');
    expect(() => scoreCvss('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV:Q is not a value of CVSS 3.1 \(allowed: N, A, L, P\)/);
    expect(codeOf('CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_unknown_metric');
    expect(codeOf('CVSS:3.1/__proto__:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_malformed');
    expect(codeOf('CVSS:3.1/constructor:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_unknown_metric');
  });

  it('Should refuse X for a base metric, which the calculator would score as 0', () => {
    expect(codeOf('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('cvss_bad_value');
    expect(codeOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:X')).toBe('cvss_bad_value');
  });

  it('Should list every missing base metric', () => {
    expect(() => scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H')).toThrow('Missing base metrics I, A');
    expect(() => scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N')).toThrow('Missing base metric SA');
  });

  it('Should refuse a duplicate metric, even with the same value, where the calculator lets the last win', () => {
    expect(codeOf('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L')).toBe('cvss_duplicate_metric');
    expect(codeOf('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N')).toBe('cvss_duplicate_metric');
  });

  it('Should refuse empty parts, extra colons, trailing slashes and inner spaces the calculator ignores', () => {
    for (const vector of [
      'CVSS:3.1//AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/',
      'CVSS:3.1/AV:N:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:3.1/AV:N /AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:3.1/AV:Ｎ/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\u0000',
    ]) {
      expect(codeOf(vector)).toBe('cvss_malformed');
    }
  });

  it('Should refuse input over 512 characters and input that is not text, quickly', () => {
    const started = performance.now();
    expect(codeOf(`CVSS:3.1/${'AV:N/'.repeat(200_000)}`)).toBe('cvss_too_long');
    expect(codeOf(`CVSS:3.1/${'AV:N/'.repeat(100)}`.slice(0, 512))).toBe('cvss_duplicate_metric');
    expect(performance.now() - started).toBeLessThan(1_000);
    for (const value of [null, undefined, 9.8, {}, ['CVSS:3.1/AV:N']]) expect(codeOf(value)).toBe('cvss_not_text');
  });

  it('Should carry HTTP status 400 and a stable code', () => {
    expect(() => scoreCvss('nope')).toThrow(expect.objectContaining({ status: 400, code: 'cvss_bad_prefix' }) as Error);
  });
});

describe('parseCvss and cvssSeverity', () => {
  it('Should return the metrics as written, X values included', () => {
    const { version, metrics } = parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X');
    expect(version).toBe('3.1');
    expect(Object.fromEntries(metrics)).toMatchObject({ AV: 'N', E: 'X' });
  });

  it('Should rate scores with the FIRST bands', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssSeverity)).toEqual(['none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});
