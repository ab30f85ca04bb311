import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';
import { LOCALES, ROLES } from './roles.ts';

const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
const LocaleSchema = Type.Union(LOCALES.map((locale) => Type.Literal(locale)));
const Email = Type.String({ format: 'email', maxLength: 254 });

export const LoginRequest = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const Membership = Type.Object({ organisationId: Uuid, organisationName: Type.String(), role: RoleSchema });

export const Me = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  locale: LocaleSchema,
  timeZone: Type.String(),
  totpEnabled: Type.Boolean(),
  roles: Type.Array(RoleSchema),
  memberships: Type.Array(Membership),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'Send as X-CSRF-Token on unsafe requests made with the session cookie' }),
});
export type Me = Static<typeof Me>;

export const UpdateMeRequest = Type.Object(
  {
    locale: Type.Optional(LocaleSchema),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const TotpSetup = Type.Object({ secret: Type.String(), otpauthUri: Type.String() });
export const TotpCode = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });

export const CreateUserRequest = Type.Object(
  {
    email: Email,
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
    organisationId: Type.Optional(Uuid),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 8 }),
    locale: Type.Optional(LocaleSchema),
  },
  { additionalProperties: false },
);

export const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  locale: LocaleSchema,
  totpEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  memberships: Type.Array(Membership),
  createdAt: Timestamp,
});

export const CreateTokenRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 8 }),
    expiresInDays: Type.Integer({ minimum: 1, maximum: 366 }),
  },
  { additionalProperties: false },
);

export const ApiToken = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  roles: Type.Array(RoleSchema),
  expiresAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revoked: Type.Boolean(),
  createdAt: Timestamp,
});

export const CreatedApiToken = Type.Composite([ApiToken, Type.Object({ token: Type.String({ description: 'Shown once; store it now' }) })]);

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Timestamp,
  actor: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
});
