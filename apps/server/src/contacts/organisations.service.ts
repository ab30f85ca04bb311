// Organisations, their people and their networks: search, detail pages and edits.
import { type Kysely, type Transaction, sql } from 'kysely';
import { type CreateNetworkRequest, type CreateOrganisationRequest, type OrganisationSummary, type UpdateOrganisationRequest } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { OrganisationsTable } from '../db/schema/organisations.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
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
import { parseNetworkValue } from './network-values.ts';
import { searchOrganisationRows } from './organisation-search.repository.ts';
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
      return searchOrganisationRows(db, scope, query);
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
