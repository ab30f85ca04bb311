import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

// Fastify's Ajv knows these formats; TypeBox's own checker (used for imported data) needs them named.
if (!FormatRegistry.Has('email'))
  FormatRegistry.Set('email', (value) =>
    /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(value),
  );
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value));
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value));

/**
 * Checks untrusted data against a contract schema; returns readable problems ("/country: ..."), at most `max`.
 * @example schemaErrors(CsirtProfile, { websites: ['javascript:alert(1)'] }) // ['/websites/0: must match pattern ...']
 */
export function schemaErrors(schema: TSchema, value: unknown, max = 5): string[] {
  const errors: string[] = [];
  for (const error of Value.Errors(schema, value)) {
    errors.push(`${error.path || '/'}: ${error.message}`);
    if (errors.length >= max) break;
  }
  return errors;
}
