import { type TSchema, Type } from '@sinclair/typebox';

/** The one shape of every failure: a stable machine code and a message a person can read. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. not_found, validation_failed' }),
      message: Type.String(),
      requestId: Type.Optional(Type.String()),
      details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time', description: 'UTC, ISO 8601' });

/** A page of items with the total and the cursor for the next page. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), nextOffset: Type.Union([Type.Integer(), Type.Null()]) });
}

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('pglite'), Type.Literal('postgresql')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  reason: Type.Optional(Type.String()),
});
