import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.ts';
import { MAX_INPUT_DEPTH, guardInput } from './input-guard.ts';

/** The code guardInput refuses a value with, or null when it lets it through. */
function refusal(value: unknown): string | null {
  try {
    guardInput(value, 'body');
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe('guardInput', () => {
  it('Should let ordinary input through, Japanese, emoji and a property named constructor included', () => {
    expect(refusal({ name: 'テスト CSIRT 😀', tags: ['a', 'b'], count: 3, constructor: 'fine', nested: { ok: null } })).toBeNull();
    expect(refusal(undefined)).toBeNull();
    expect(refusal('plain')).toBeNull();
  });

  it(`Should accept nesting ${MAX_INPUT_DEPTH} levels deep and refuse one level more`, () => {
    expect(refusal(nested(MAX_INPUT_DEPTH))).toBeNull();
    expect(refusal(nested(MAX_INPUT_DEPTH + 1))).toBe('too_deeply_nested');
  });

  it('Should refuse 100,000 levels without exhausting the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(refusal(deep)).toBe('too_deeply_nested');
  });

  it.each([
    ['a NUL in a value', { a: ['x', 'y\u0000'] }, 'null_character'],
    ['a NUL in a key', { 'a\u0000': 1 }, 'null_character'],
    ['a lone high surrogate', { a: 'x\uD800' }, 'invalid_unicode'],
    ['a lone low surrogate', ['\uDC00y'], 'invalid_unicode'],
    ['a __proto__ key', JSON.parse('{"a":{"__proto__":{"admin":true}}}') as unknown, 'forbidden_property'],
    ['constructor.prototype', { constructor: { prototype: { admin: true } } }, 'forbidden_property'],
  ])('Should refuse %s', (_name, value, code) => {
    expect(refusal(value)).toBe(code);
  });

  it('Should name where the refused value sits', () => {
    try {
      guardInput({ list: [{ name: 'ok' }, { name: 'bad\u0000' }] }, 'body');
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).details).toEqual([{ path: 'body/list/1/name', message: 'Text may not contain NUL characters' }]);
    }
  });

  it("Should walk the query parser's objects, whose prototype has a null prototype", () => {
    const Empty = function () {} as unknown as new () => Record<string, unknown>;
    Empty.prototype = Object.create(null) as object;
    const query = new Empty();
    query.a = 'x\u0000';
    expect(refusal(query)).toBe('null_character');
  });

  it('Should not walk binary bodies or class instances', () => {
    expect(refusal(Buffer.from([0, 0, 0]))).toBeNull();
    expect(refusal(new Date())).toBeNull();
  });

  it('Should check a megabyte of small items quickly', () => {
    const wide = Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `item ${i}` }));
    const started = Date.now();
    expect(refusal(wide)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
