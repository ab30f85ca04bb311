import { describe, expect, it } from 'vitest';
import en from './en.json' with { type: 'json' };
import ja from './ja.json' with { type: 'json' };

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

function leaves(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [String(value)];
  return Object.values(value).flatMap(leaves);
}

describe('locales', () => {
  it('Should have the same keys in English and Japanese', () => {
    expect(keys(ja).sort()).toEqual(keys(en).sort());
  });

  it('Should have no empty strings', () => {
    expect([...leaves(en), ...leaves(ja)].filter((text) => text.trim() === '')).toEqual([]);
  });

  it('Should use the same interpolation variables in both languages', () => {
    const variables = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();
    const enLeaves = Object.fromEntries(keys(en).map((key, i) => [key, leaves(en)[i] ?? '']));
    const jaLeaves = Object.fromEntries(keys(ja).map((key, i) => [key, leaves(ja)[i] ?? '']));
    for (const key of Object.keys(enLeaves)) {
      expect(variables(jaLeaves[key] ?? ''), key).toEqual(variables(enLeaves[key] ?? ''));
    }
  });
});
