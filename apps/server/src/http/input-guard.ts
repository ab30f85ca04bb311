import { BadRequestError } from '../kernel/errors.ts';

// A high surrogate not followed by a low one, or a low one not preceded by a high one (String#isWellFormed is ES2024).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deepest nesting of objects and arrays accepted in a body, query or path. */
export const MAX_INPUT_DEPTH = 64;

/**
 * Refuses, before schema validation, what no route should ever receive: nesting deeper than
 * MAX_INPUT_DEPTH, NUL characters (PostgreSQL cannot store them in text), ill-formed Unicode (lone
 * surrogates: not storable in jsonb, not text at all) and prototype-pollution keys (`__proto__`,
 * `constructor.prototype`). Walks without recursion, so depth cannot exhaust the stack.
 * @example guardInput(request.body, 'body'); // throws BadRequestError('null_character', ...)
 */
export function guardInput(value: unknown, where: string): void {
  const pending: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: where }];
  while (pending.length > 0) {
    const { value: current, depth, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) throw refuse('null_character', 'Text may not contain NUL characters', path);
      if (LONE_SURROGATE.test(current)) throw refuse('invalid_unicode', 'Text may not contain lone UTF-16 surrogates', path);
      continue;
    }
    if (typeof current !== 'object' || current === null || !isPlainContainer(current)) continue;
    if (depth >= MAX_INPUT_DEPTH) throw refuse('too_deeply_nested', `Objects and arrays may nest at most ${MAX_INPUT_DEPTH} levels deep`, path);
    if (Array.isArray(current)) {
      current.forEach((item, i) => pending.push({ value: item, depth: depth + 1, path: `${path}/${i}` }));
      continue;
    }
    for (const key of Object.keys(current)) {
      const child = (current as Record<string, unknown>)[key];
      const childPath = `${path}/${key.slice(0, 100)}`;
      if (key.includes('\u0000')) throw refuse('null_character', 'Property names may not contain NUL characters', path);
      if (LONE_SURROGATE.test(key)) throw refuse('invalid_unicode', 'Property names may not contain lone UTF-16 surrogates', path);
      if (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'))) {
        throw refuse('forbidden_property', `The property name "${key}" is not accepted`, childPath);
      }
      pending.push({ value: child, depth: depth + 1, path: childPath });
    }
  }
}

/** Arrays and plain objects, including the query parser's objects whose prototype has a null prototype. */
function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
}

function refuse(code: string, message: string, path: string): BadRequestError {
  return new BadRequestError(code, message, [{ path, message }]);
}
