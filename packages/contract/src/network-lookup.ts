import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const LOOKUP_MAX_ITEMS = 10_000;

export const Confidence = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
export type Confidence = Static<typeof Confidence>;

/** One answer field with where it came from, so an analyst can trust or override it. */
export function Sourced<T extends TSchema>(value: T) {
  return Type.Object({
    value: Type.Union([value, Type.Null()]),
    source: Type.Union([
      Type.String({
        description:
          "e.g. 'directory', 'ip2asn:ip2asn-v4.tsv', 'rir:delegated-apnic-latest', 'rdap:rdap.apnic.net', 'security.txt:https://example.com/.well-known/security.txt'",
      }),
      Type.Null(),
    ]),
    date: Type.Union([Type.String({ description: 'date of the data (YYYY-MM-DD or ISO timestamp)' }), Type.Null()]),
    confidence: Type.Union([Confidence, Type.Null()]),
  });
}

export const OrganisationRef = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() });
export const NationalCsirtRef = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  country: Type.String(),
});

export const OnlineSourceStatus = Type.Union([
  Type.Literal('answered'),
  Type.Literal('no_record'),
  Type.Literal('unanswered'),
  Type.Literal('failed'),
  Type.Literal('not_configured'),
  Type.Literal('cached'),
]);

export const LookupAnswer = Type.Object({
  input: Type.String(),
  kind: Type.Union([Type.Literal('ip'), Type.Literal('domain'), Type.Literal('invalid')]),
  error: Type.Union([Type.String(), Type.Null()]),
  /** The IP address or punycode domain looked up. */
  normalized: Type.Union([Type.String(), Type.Null()]),
  /** The Unicode form of an IDN domain (same as normalized otherwise). */
  display: Type.Union([Type.String(), Type.Null()]),
  /** Why an address has no public owner (private, documentation...). */
  note: Type.Union([Type.String(), Type.Null()]),
  prefix: Sourced(Type.String()),
  asn: Sourced(Type.Integer()),
  asName: Sourced(Type.String()),
  country: Sourced(Type.String()),
  organisation: Sourced(OrganisationRef),
  abuseContact: Sourced(Type.String()),
  nationalCsirt: Sourced(NationalCsirtRef),
  /** What each online source did (only with online lookups): 'unanswered' means it did not answer in time, not "no contact". */
  online: Type.Array(Type.Object({ source: Type.String(), status: OnlineSourceStatus, detail: Type.Union([Type.String(), Type.Null()]), at: Type.String() })),
});
export type LookupAnswer = Static<typeof LookupAnswer>;

export const LookupRequest = Type.Object({
  items: Type.Array(Type.String({ maxLength: 2048 }), { minItems: 1, maxItems: LOOKUP_MAX_ITEMS }),
  online: Type.Optional(Type.Boolean({ default: false, description: 'Also ask RDAP and security.txt (slower; each source has a timeout)' })),
});
export type LookupRequest = Static<typeof LookupRequest>;

export const LookupResponse = Type.Object({ answers: Type.Array(LookupAnswer) });
export type LookupResponse = Static<typeof LookupResponse>;
