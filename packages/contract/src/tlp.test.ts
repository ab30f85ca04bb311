import { describe, expect, it } from 'vitest';
import { TLP_COLOURS, TLP_LABELS, TLP_LEVELS, isTlpLabel, isTlpLevel, mayReceive, parseTlp, stricterTlp, tlpLabel, tlpLevelOfLabel, tlpRank } from './tlp.ts';

describe('TLP 2.0', () => {
  it('Should order the five levels from CLEAR to RED', () => {
    expect(TLP_LEVELS).toEqual(['clear', 'green', 'amber', 'amber+strict', 'red']);
    expect(TLP_LEVELS.map(tlpRank)).toEqual([0, 1, 2, 3, 4]);
  });

  it('Should let a recipient receive exactly the levels at or below its ceiling, for every pair', () => {
    // Written out by hand from FIRST's order rather than computed from the ranks it checks.
    const allowed: Record<string, string[]> = {
      clear: ['clear'],
      green: ['clear', 'green'],
      amber: ['clear', 'green', 'amber'],
      'amber+strict': ['clear', 'green', 'amber', 'amber+strict'],
      red: ['clear', 'green', 'amber', 'amber+strict', 'red'],
    };
    for (const ceiling of TLP_LEVELS) {
      for (const level of TLP_LEVELS) expect(mayReceive(level, ceiling), `${level} to a ${ceiling} ceiling`).toBe(allowed[ceiling]!.includes(level));
    }
  });

  it('Should write labels as FIRST does and read them back to the same level', () => {
    expect(TLP_LEVELS.map(tlpLabel)).toEqual(['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);
    expect(TLP_LABELS.map((label) => tlpLevelOfLabel(label))).toEqual([...TLP_LEVELS]);
    for (const level of TLP_LEVELS) {
      expect(tlpLevelOfLabel(tlpLabel(level))).toBe(level);
      expect(parseTlp(tlpLabel(level))).toBe(level);
      expect(parseTlp(level)).toBe(level);
      expect(isTlpLabel(tlpLabel(level))).toBe(true);
      expect(isTlpLevel(level)).toBe(true);
      expect(TLP_COLOURS[level]).toMatch(/^#[0-9A-F]{6}$/);
    }
  });

  it('Should refuse labels that are not TLP 2.0 in the strict reading', () => {
    for (const label of ['TLP:WHITE', 'tlp:amber', 'TLP: RED', 'TLP:AMBER+', 'TLP:AMBER STRICT', 'AMBER', 'TLP:UNCLEAR', 'TLP:EX:CHR', 'PAP:RED', '', 'amber'])
      expect(tlpLevelOfLabel(label), label).toBeNull();
    for (const value of ['white', 'TLP:AMBER', 'Amber', null, 3, undefined]) expect(isTlpLevel(value)).toBe(false);
  });

  it('Should read people’s and tools’ spellings leniently but still refuse unknown labels', () => {
    expect(parseTlp('tlp:amber+strict')).toBe('amber+strict');
    expect(parseTlp(' TLP:Green ')).toBe('green');
    expect(parseTlp('TLP:WHITE')).toBe('clear');
    expect(parseTlp('white')).toBe('clear');
    for (const label of ['TLP:UNCLEAR', 'TLP:EX:CHR', 'TLP:AMBER+', 'amber strict', 'TLP', 'red!', '']) expect(parseTlp(label), label).toBeNull();
  });

  it('Should label a mix with the stricter level', () => {
    expect(stricterTlp('green', 'amber')).toBe('amber');
    expect(stricterTlp('red', 'clear')).toBe('red');
    expect(stricterTlp('amber+strict', 'amber')).toBe('amber+strict');
  });
});
