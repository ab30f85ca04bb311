// Organisations, their people and their networks: search, detail pages and edits.
import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';
import {
  type CreateNetworkRequest,
  type CreateOrganisationRequest,
  type CreatePersonRequest,
  ORGANISATION_KINDS,
  type OrganisationKind,
  type OrganisationSummary,
  type UpdateOrganisationRequest,
  type UpdatePersonRequest,
} from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { OrganisationsTable } from '../db/schema/organisations.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { contactsPolicy } from './contacts.policy.ts';
import {
  type AddressDeliveryModel,
  type NetworkModel,
  type OrganisationModel,
  type PersonModel,
  deliveryStatusOf,
  loadOrganisation,
  networkRowToModel,
  organisationRowToModel,
  personRowToModel,
} from './contacts.repository.ts';
import type { DirectoryCandidate, OrganisationFields } from './directory-import.ts';
import { parseAsn, parseIpAddress, parseNetworkValue } from './network-values.ts';
import type { KeyHealth, KeyView } from './pgp-keys.service.ts';

export interface OrganisationDetailModel {
  organisation: OrganisationModel;
  people: PersonModel[];
  networks: NetworkModel[];
  keys: KeyView[];
  /** What DSN bounces last said about the page's addresses (contact, people, abuse). */
  deliveryStatus: AddressDeliveryModel[];
}

export interface PersonDetailModel {
  person: PersonModel;
  organisation: OrganisationModel;
  keys: KeyView[];
  deliveryStatus: AddressDeliveryModel[];
}

type OrganisationUpdate = Partial<{ [K in keyof OrganisationsTable]: unknown }>;

const FIELD_COLUMNS = {
  name: 'name',
  nameJa: 'name_ja',
  kind: 'kind',
  contactEmail: 'contact_email',
  contactPhone: 'contact_phone',
  website: 'website',
  country: 'country',
  languages: 'languages',
  timeZone: 'time_zone',
  preferredFormat: 'preferred_format',
  tlpCeiling: 'tlp_ceiling',
  pgpPolicy: 'pgp_policy',
  notes: 'notes',
  contactConfirmedAt: 'contact_confirmed_at',
  csirtProfile: 'csirt_profile',
  isNationalCsirt: 'is_national_csirt',
} as const satisfies Record<keyof UpdateOrganisationRequest, keyof OrganisationsTable>;

/** Camel-case input fields to column values; undefined fields are left out (unchanged). */
function organisationColumns(fields: UpdateOrganisationRequest): OrganisationUpdate {
  const out: OrganisationUpdate = {};
  for (const [key, column] of Object.entries(FIELD_COLUMNS) as [keyof UpdateOrganisationRequest, keyof OrganisationsTable][]) {
    const value = fields[key];
    if (value === undefined) continue;
    if (key === 'csirtProfile') out[column] = value === null ? null : JSON.stringify(value);
    else if (key === 'contactConfirmedAt') out[column] = value === null ? null : new Date(value as string);
    else if (key === 'contactEmail') out[column] = typeof value === 'string' ? value.toLowerCase() : value;
    else out[column] = value;
  }
  return out;
}

function checkTimeZone(zone: string | null | undefined): void {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new BadRequestError('invalid_time_zone', `"${zone.slice(0, 64)}" is not an IANA time zone (e.g. Asia/Tokyo)`);
  }
}

/** The rules no schema can say alone: they depend on the merged record. */
export function organisationProblems(merged: { kind: string; country: string | null; isNationalCsirt: boolean; timeZone: string | null }): string[] {
  const problems: string[] = [];
  if (merged.isNationalCsirt && (merged.kind !== 'csirt' || !merged.country)) problems.push('a national CSIRT must be of kind csirt and have a country');
  if (merged.timeZone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: merged.timeZone });
    } catch {
      problems.push(`"${merged.timeZone.slice(0, 64)}" is not an IANA time zone`);
    }
  }
  return problems;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function applyOrganisationChange(
  trx: Transaction<Schema>,
  ctx: RequestContext,
  existing: OrganisationModel | null,
  fields: OrganisationFields & { contactConfirmedAt?: string | null },
  action: string,
  now: () => Date,
): Promise<OrganisationModel> {
  const merged = {
    kind: fields.kind ?? existing?.kind ?? 'other',
    country: fields.country !== undefined ? fields.country : (existing?.country ?? null),
    isNationalCsirt: fields.isNationalCsirt ?? existing?.isNationalCsirt ?? false,
    timeZone: fields.timeZone !== undefined ? fields.timeZone : (existing?.timeZone ?? null),
  };
  const problems = organisationProblems(merged);
  if (problems.length > 0) throw new BadRequestError('invalid_organisation', problems.join('; '));
  const columns = organisationColumns(fields);
  let row;
  if (existing) {
    row = await trx
      .updateTable('organisations')
      .set({ ...(columns as object), updated_at: now() })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } else {
    if (!fields.name || !fields.kind) throw new BadRequestError('invalid_organisation', 'A new organisation needs a name and a kind');
    row = await trx
      .insertInto('organisations')
      .values({ ...(columns as object), name: fields.name, kind: fields.kind })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const after = organisationRowToModel(row);
  await recordAudit(trx, ctx, { action, targetType: 'organisation', targetId: after.id, before: existing, after });
  return after;
}

export async function addNetworks(
  trx: Transaction<Schema>,
  ctx: RequestContext,
  organisationId: string,
  networks: DirectoryCandidate['networks'],
): Promise<NetworkModel[]> {
  if (networks.length === 0) return [];
  const rows = await trx
    .insertInto('organisation_networks')
    .values(networks.map((network) => ({ organisation_id: organisationId, kind: network.kind, value: network.value, abuse_email: network.abuseEmail })))
    .onConflict((conflict) => conflict.columns(['organisation_id', 'kind', 'value']).doNothing())
    .returningAll()
    .execute();
  const added = rows.map(networkRowToModel);
  for (const network of added)
    await recordAudit(trx, ctx, { action: 'organisation_network.create', targetType: 'organisation', targetId: organisationId, after: network });
  return added;
}

export function createOrganisationsService(db: Kysely<Schema>, now: () => Date, keysWithHealth: KeyHealth) {
  return {
    /** Organisations matching a name (en/ja), AS number, IP address or prefix, domain or e-mail address. */
    async searchOrganisations(
      ctx: RequestContext,
      query: { q?: string | undefined; kind?: string | undefined; country?: string | undefined; offset: number; limit: number },
    ): Promise<{ items: OrganisationSummary[]; total: number }> {
      const scope = contactsPolicy.listScope(ctx.actor, 'directory.read');
      const conditions: RawBuilder<boolean>[] = [sql<boolean>`${scopeWhere(scope, { organisation: sql.ref('o.id') })}`];
      if (query.kind) conditions.push(sql<boolean>`o.kind = ${query.kind}`);
      if (query.country) conditions.push(sql<boolean>`o.country = ${query.country}`);
      let networkMatch: RawBuilder<boolean> | null = null;
      const term = query.q?.trim() ?? '';
      if (term) {
        const like = `%${escapeLike(term)}%`;
        const anyOf: RawBuilder<boolean>[] = [sql<boolean>`o.name ILIKE ${like}`, sql<boolean>`o.name_ja ILIKE ${like}`];
        const ip = parseIpAddress(term);
        const asn = /^(as\s*)?[0-9]+(\.[0-9]+)?$/i.test(term) ? parseAsn(term) : null;
        const prefix = term.includes('/') ? parseNetworkValue(term) : null;
        const email = term.includes('@') ? term.toLowerCase() : null;
        const domainText = email ? email.slice(email.lastIndexOf('@') + 1) : !ip && !asn?.ok && !prefix ? term : null;
        const domain = domainText && domainText.includes('.') ? parseNetworkValue(domainText, 'domain') : null;
        if (ip)
          networkMatch = sql<boolean>`(n.kind = ${ip.kind} AND CASE WHEN n.kind IN ('ipv4', 'ipv6') THEN n.value::cidr >>= ${ip.address}::inet ELSE false END)`;
        else if (asn?.ok) networkMatch = sql<boolean>`(n.kind = 'asn' AND n.value = ${asn.value})`;
        else if (prefix?.ok && (prefix.kind === 'ipv4' || prefix.kind === 'ipv6'))
          networkMatch = sql<boolean>`(n.kind = ${prefix.kind} AND CASE WHEN n.kind IN ('ipv4', 'ipv6') THEN n.value::cidr && ${prefix.value}::cidr ELSE false END)`;
        else if (domain?.ok) networkMatch = sql<boolean>`(n.kind = 'domain' AND (n.value = ${domain.value} OR ${domain.value} LIKE '%.' || n.value))`;
        if (networkMatch) anyOf.push(sql<boolean>`EXISTS (SELECT 1 FROM organisation_networks n WHERE n.organisation_id = o.id AND ${networkMatch})`);
        if (email)
          anyOf.push(
            sql<boolean>`o.contact_email = ${email}`,
            sql<boolean>`EXISTS (SELECT 1 FROM people p WHERE p.organisation_id = o.id AND p.email = ${email})`,
          );
        conditions.push(sql<boolean>`(${sql.join(anyOf, sql` OR `)})`);
      }
      const where = sql.join(conditions, sql` AND `);
      const matched = networkMatch
        ? sql<
            string | null
          >`(SELECT n.kind || ' ' || n.value FROM organisation_networks n WHERE n.organisation_id = o.id AND ${networkMatch} ORDER BY n.value LIMIT 1)`
        : sql<string | null>`NULL::text`;
      const rows = await sql<{
        id: string;
        name: string;
        name_ja: string | null;
        kind: string;
        country: string | null;
        contact_email: string | null;
        is_national_csirt: boolean;
        is_self: boolean;
        matched: string | null;
      }>`
        SELECT o.id, o.name, o.name_ja, o.kind, o.country, o.contact_email, o.is_national_csirt, o.is_self, ${matched} AS matched
        FROM organisations o WHERE ${where}
        ORDER BY lower(o.name), o.id LIMIT ${query.limit} OFFSET ${query.offset}`.execute(db);
      const count = await sql<{ total: number }>`SELECT count(*)::int AS total FROM organisations o WHERE ${where}`.execute(db);
      return {
        items: rows.rows.map((row) => ({
          id: row.id,
          name: row.name,
          nameJa: row.name_ja,
          kind: (ORGANISATION_KINDS as readonly string[]).includes(row.kind) ? (row.kind as OrganisationKind) : 'other',
          country: row.country,
          contactEmail: row.contact_email,
          isNationalCsirt: row.is_national_csirt,
          isSelf: row.is_self,
          matched: row.matched,
        })),
        total: count.rows[0]?.total ?? 0,
      };
    },

    /** One organisation with its people, networks and keys (each key with its health). */
    async getOrganisation(ctx: RequestContext, id: string): Promise<OrganisationDetailModel> {
      const scope = contactsPolicy.detailScope(ctx.actor, 'directory.read', () => new NotFoundError('organisation_not_found', 'No such organisation'));
      const organisation = await loadOrganisation(db, id, scope);
      const [people, networks, keys] = await Promise.all([
        db.selectFrom('people').selectAll().where('organisation_id', '=', id).orderBy('is_role_address', 'desc').orderBy('name').execute(),
        db.selectFrom('organisation_networks').selectAll().where('organisation_id', '=', id).orderBy('kind').orderBy('value').execute(),
        keysWithHealth(db, (q) => q.where('k.organisation_id', '=', id)),
      ]);
      const addresses = [organisation.contactEmail, ...people.map((p) => p.email), ...networks.map((n) => n.abuse_email)].filter((a): a is string => !!a);
      return {
        organisation,
        people: people.map(personRowToModel),
        networks: networks.map(networkRowToModel),
        keys,
        deliveryStatus: await deliveryStatusOf(db, addresses),
      };
    },

    async createOrganisation(ctx: RequestContext, input: CreateOrganisationRequest): Promise<OrganisationModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      checkTimeZone(input.timeZone);
      return db.transaction().execute((trx) => applyOrganisationChange(trx, ctx, null, input, 'organisation.create', now));
    },

    async updateOrganisation(ctx: RequestContext, id: string, patch: UpdateOrganisationRequest): Promise<OrganisationModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      checkTimeZone(patch.timeZone);
      return db.transaction().execute(async (trx) => applyOrganisationChange(trx, ctx, await loadOrganisation(trx, id), patch, 'organisation.update', now));
    },

    /** Deletes an organisation with its people, networks and keys; not the instance's own team, nor one with user accounts. */
    async deleteOrganisation(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const existing = await loadOrganisation(trx, id);
        if (existing.isSelf) throw new ConflictError('organisation_is_self', "The instance's own team cannot be deleted");
        const members = await trx
          .selectFrom('memberships')
          .select(sql<number>`count(*)::int`.as('count'))
          .where('organisation_id', '=', id)
          .executeTakeFirstOrThrow();
        if (members.count > 0)
          throw new ConflictError('organisation_has_members', `${members.count} user account(s) belong to this organisation: remove them first`);
        await trx.deleteFrom('organisations').where('id', '=', id).execute();
        await recordAudit(trx, ctx, { action: 'organisation.delete', targetType: 'organisation', targetId: id, before: existing });
      });
    },

    async createPerson(ctx: RequestContext, organisationId: string, input: CreatePersonRequest): Promise<PersonModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      return db.transaction().execute(async (trx) => {
        await loadOrganisation(trx, organisationId);
        const row = await trx
          .insertInto('people')
          .values({
            organisation_id: organisationId,
            name: input.name,
            name_ja: input.nameJa ?? null,
            role_title: input.roleTitle ?? null,
            email: input.email?.toLowerCase() ?? null,
            phone: input.phone ?? null,
            emergency_phone: input.emergencyPhone ?? null,
            is_role_address: input.isRoleAddress ?? false,
            languages: input.languages ?? [],
            notes: input.notes ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const person = personRowToModel(row);
        await recordAudit(trx, ctx, { action: 'person.create', targetType: 'person', targetId: person.id, after: person });
        return person;
      });
    },

    /** One person with their organisation, the keys attached to them and what DSNs said about their address. */
    async getPerson(ctx: RequestContext, id: string): Promise<PersonDetailModel> {
      const scope = contactsPolicy.detailScope(ctx.actor, 'directory.read', () => new NotFoundError('person_not_found', 'No such person'));
      const row = await db
        .selectFrom('people')
        .selectAll()
        .where('id', '=', id)
        .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
        .executeTakeFirst();
      if (!row) throw new NotFoundError('person_not_found', 'No such person');
      const person = personRowToModel(row);
      const [organisation, keys, deliveryStatus] = await Promise.all([
        loadOrganisation(db, person.organisationId),
        keysWithHealth(db, (q) => q.where('k.person_id', '=', id)),
        deliveryStatusOf(db, person.email ? [person.email] : []),
      ]);
      return { person, organisation, keys, deliveryStatus };
    },

    async updatePerson(ctx: RequestContext, id: string, patch: UpdatePersonRequest): Promise<PersonModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
        if (!existing) throw new NotFoundError('person_not_found', 'No such person');
        const row = await trx
          .updateTable('people')
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.nameJa !== undefined ? { name_ja: patch.nameJa } : {}),
            ...(patch.roleTitle !== undefined ? { role_title: patch.roleTitle } : {}),
            ...(patch.email !== undefined ? { email: patch.email?.toLowerCase() ?? null } : {}),
            ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
            ...(patch.emergencyPhone !== undefined ? { emergency_phone: patch.emergencyPhone } : {}),
            ...(patch.isRoleAddress !== undefined ? { is_role_address: patch.isRoleAddress } : {}),
            ...(patch.languages !== undefined ? { languages: patch.languages } : {}),
            ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
            updated_at: now(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const person = personRowToModel(row);
        await recordAudit(trx, ctx, { action: 'person.update', targetType: 'person', targetId: id, before: personRowToModel(existing), after: person });
        return person;
      });
    },

    async deletePerson(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('people').where('id', '=', id).returningAll().executeTakeFirst();
        if (!removed) throw new NotFoundError('person_not_found', 'No such person');
        await recordAudit(trx, ctx, { action: 'person.delete', targetType: 'person', targetId: id, before: personRowToModel(removed) });
      });
    },

    async addNetwork(ctx: RequestContext, organisationId: string, input: CreateNetworkRequest): Promise<NetworkModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      const parsed = parseNetworkValue(input.value, input.kind);
      if (!parsed.ok) throw new BadRequestError('invalid_network', parsed.error);
      return db.transaction().execute(async (trx) => {
        await loadOrganisation(trx, organisationId);
        const [added] = await addNetworks(trx, ctx, organisationId, [
          { kind: parsed.kind, value: parsed.value, abuseEmail: input.abuseEmail?.toLowerCase() ?? null },
        ]);
        if (!added) throw new ConflictError('network_exists', `${parsed.kind} ${parsed.value} is already listed for this organisation`);
        return added;
      });
    },

    async deleteNetwork(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('organisation_networks').where('id', '=', id).returningAll().executeTakeFirst();
        if (!removed) throw new NotFoundError('network_not_found', 'No such network');
        await recordAudit(trx, ctx, {
          action: 'organisation_network.delete',
          targetType: 'organisation',
          targetId: removed.organisation_id,
          before: networkRowToModel(removed),
        });
      });
    },
  };
}
