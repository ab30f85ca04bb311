import { describe, expect, it } from 'vitest';
import { VENDOR_STATUSES, VENDOR_STATUS_LABELS, VEX_JUSTIFICATIONS, VEX_JUSTIFICATION_LABELS, isVendorStatus, isVexJustification } from './vex.ts';

describe('VEX justifications', () => {
  it('Should be the five CSAF/OpenVEX names, each with a ja and an en label', () => {
    expect(VEX_JUSTIFICATIONS).toEqual([
      'component_not_present',
      'vulnerable_code_not_present',
      'vulnerable_code_cannot_be_controlled_by_adversary',
      'vulnerable_code_not_in_execute_path',
      'inline_mitigations_already_exist',
    ]);
    expect(Object.keys(VEX_JUSTIFICATION_LABELS)).toEqual([...VEX_JUSTIFICATIONS]);
    for (const key of VEX_JUSTIFICATIONS) expect(VEX_JUSTIFICATION_LABELS[key].ja && VEX_JUSTIFICATION_LABELS[key].en).toBeTruthy();
  });

  it('Should recognise only the exact keys', () => {
    expect(isVexJustification('vulnerable_code_not_present')).toBe(true);
    for (const value of ['Vulnerable_code_not_present', 'toString', '__proto__', '', null, 1, ['component_not_present']])
      expect(isVexJustification(value)).toBe(false);
  });
});

describe('vendor statuses', () => {
  it('Should carry the keys the contract shares, with JVN’s Japanese labels', () => {
    expect(VENDOR_STATUSES).toEqual([
      'not_notified',
      'notified_no_answer',
      'unknown',
      'vulnerable',
      'vulnerable_investigating',
      'not_vulnerable',
      'not_vulnerable_investigating',
      'unreachable',
    ]);
    expect(Object.keys(VENDOR_STATUS_LABELS)).toEqual([...VENDOR_STATUSES]);
    expect(VENDOR_STATUSES.map((status) => VENDOR_STATUS_LABELS[status].ja)).toEqual([
      '未通知',
      '通知済み・回答なし',
      '不明',
      '該当製品あり',
      '該当製品あり（調査中）',
      '該当製品なし',
      '該当製品なし（調査中）',
      '連絡不能',
    ]);
  });

  it('Should recognise only the exact keys', () => {
    expect(isVendorStatus('not_vulnerable_investigating')).toBe(true);
    for (const value of ['VULNERABLE', 'hasOwnProperty', ' vulnerable', undefined, {}]) expect(isVendorStatus(value)).toBe(false);
  });
});
