import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';
import * as openpgp from 'openpgp';
import { ORGANISATION_KINDS, type OrganisationKind } from '@renkei/contract';
import type { CreateNetworkRequest, CreateOrganisationRequest, CreatePersonRequest, DirectoryImportLine, DirectoryImportReport, ImportKeysRequest, KeyWarning, OrganisationSummary, UpdateOrganisationRequest, UpdatePersonRequest } from '@renkei/contract';
import { recordAudit } from '../audit/audit.service.ts';
import type { Schema } from '../db/schema/index.ts';
import type { OrganisationsTable } from '../db/schema/organisations.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { contactsPolicy } from './contacts.policy.ts';
import {
  type AddressDeliveryModel,
  type NetworkModel,
  type OrganisationModel,
  type PersonModel,
  type PgpKeyModel,
  PUBLIC_KEY_COLUMNS,
  deliveryStatusOf,
  keyRowToModel,
  networkRowToModel,
  organisationRowToModel,
  personRowToModel,
} from './contacts.repository.ts';
import { type DirectoryCandidate, type OrganisationFields, csvToCandidates, organisationToTeam, teamsToCandidates } from './directory-import.ts';
import { generateInstanceKey, signCleartext, unlockInstanceKey } from './instance-key.ts';
import { parseAsn, parseIpAddress, parseNetworkValue } from './network-values.ts';
import { type InspectedKey, inspectArmoredKeys, keyWarnings } from './pgp-keys.ts';
import { buildRfc2350, buildSecurityTxt } from './well-known.ts';

export interface ContactsOptions {
  /** The instance's public address, for the links in security.txt and RFC 2350. */
  publicUrl: string;
  /** RENKEI_PGP_PASSPHRASE: protects the instance key's private part; null = stored unprotected. */
  pgpPassphrase: string | null;
  /** When given, importing keys enqueues the mail domain's signature re-check for their key IDs. */
  jobs?: Pick<JobQueue, 'enqueue'> | null;
  now?: () => Date;
}

/**
 * The mail domain's job that re-verifies stored signatures naming the given key IDs. Named, not
 * imported: the directory does not depend on mail, it only asks for the job.
 */
export const RECHECK_SIGNATURES_JOB = 'mail.recheck-signatures';

export type KeyView = PgpKeyModel & { warnings: KeyWarning[] };

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

export type ContactsService = ReturnType<typeof createContactsService>;

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
function organisationProblems(merged: { kind: string; country: string | null; isNationalCsirt: boolean; timeZone: string | null }): string[] {
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

/** JSON with object keys sorted: jsonb does not keep key order, so plain JSON.stringify would see changes that are not there. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The directory: organisations, people, networks and PGP keys; imports and exports; the instance's own key
 * and the documents signed with it.
 * @example const contacts = createContactsService(db, { publicUrl: 'https://csirt.example.jp', pgpPassphrase: null });
 */
export function createContactsService(db: Kysely<Schema>, options: ContactsOptions) {
  const now = options.now ?? (() => new Date());
  const encryptCapability = new Map<string, boolean>();
  let unlocked: { fingerprint: string; key: openpgp.PrivateKey } | null = null;

  async function loadOrganisation(executor: Kysely<Schema>, id: string): Promise<OrganisationModel> {
    const row = await executor.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('organisation_not_found', 'No such organisation');
    return organisationRowToModel(row);
  }

  async function canEncrypt(key: PgpKeyModel): Promise<boolean> {
    const cacheKey = `${key.fingerprint}:${key.armored.length}`;
    const cached = encryptCapability.get(cacheKey);
    if (cached !== undefined) return cached;
    let result = false;
    try {
      const parsed = await openpgp.readKey({ armoredKey: key.armored });
      await parsed.getEncryptionKey();
      result = true;
    } catch {
      result = false;
    }
    if (encryptCapability.size > 10_000) encryptCapability.clear();
    encryptCapability.set(cacheKey, result);
    return result;
  }

  /** Keys with their health, judged against the address each is attached to. */
  async function keysWithHealth(executor: Kysely<Schema>, filter: (query: ReturnType<typeof keyQuery>) => ReturnType<typeof keyQuery>): Promise<KeyView[]> {
    const rows = await filter(keyQuery(executor)).orderBy('k.imported_at', 'desc').execute();
    const at = now();
    const views: KeyView[] = [];
    for (const row of rows) {
      const model = keyRowToModel(row);
      const attached = row.person_email ?? row.organisation_email;
      views.push({ ...model, warnings: keyWarnings({ ...model, canEncrypt: await canEncrypt(model) }, at, attached ? [attached] : []) });
    }
    return views;
  }

  function keyQuery(executor: Kysely<Schema>) {
    return executor
      .selectFrom('pgp_keys as k')
      .leftJoin('people as p', 'p.id', 'k.person_id')
      .leftJoin('organisations as o', 'o.id', 'k.organisation_id')
      .select(PUBLIC_KEY_COLUMNS.map((column) => `k.${column}` as const))
      .select(['p.email as person_email', 'o.contact_email as organisation_email']);
  }

  async function applyOrganisationChange(trx: Transaction<Schema>, ctx: RequestContext, existing: OrganisationModel | null, fields: OrganisationFields & { contactConfirmedAt?: string | null }, action: string): Promise<OrganisationModel> {
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
      row = await trx.updateTable('organisations').set({ ...(columns as object), updated_at: now() }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
    } else {
      if (!fields.name || !fields.kind) throw new BadRequestError('invalid_organisation', 'A new organisation needs a name and a kind');
      row = await trx.insertInto('organisations').values({ ...(columns as object), name: fields.name, kind: fields.kind }).returningAll().executeTakeFirstOrThrow();
    }
    const after = organisationRowToModel(row);
    await recordAudit(trx, ctx, { action, targetType: 'organisation', targetId: after.id, before: existing, after });
    return after;
  }

  async function addNetworks(trx: Transaction<Schema>, ctx: RequestContext, organisationId: string, networks: DirectoryCandidate['networks']): Promise<NetworkModel[]> {
    if (networks.length === 0) return [];
    const rows = await trx
      .insertInto('organisation_networks')
      .values(networks.map((network) => ({ organisation_id: organisationId, kind: network.kind, value: network.value, abuse_email: network.abuseEmail })))
      .onConflict((conflict) => conflict.columns(['organisation_id', 'kind', 'value']).doNothing())
      .returningAll()
      .execute();
    const added = rows.map(networkRowToModel);
    for (const network of added) await recordAudit(trx, ctx, { action: 'organisation_network.create', targetType: 'organisation', targetId: organisationId, after: network });
    return added;
  }

  /** Matches candidates to organisations and says, per line, what a commit would do. */
  async function planImport(executor: Kysely<Schema>, candidates: DirectoryCandidate[]) {
    const names = [...new Set(candidates.map((c) => c.fields.name?.toLowerCase()).filter((name): name is string => !!name))];
    const ids = [...new Set(candidates.map((c) => c.id).filter((id): id is string => !!id))];
    const byName = new Map<string, OrganisationModel[]>();
    const byId = new Map<string, OrganisationModel>();
    const rows = names.length || ids.length
      ? await executor
          .selectFrom('organisations')
          .selectAll()
          .where((eb) => eb.or([...(names.length ? [eb(sql`lower(name)`, 'in', names)] : []), ...(ids.length ? [eb('id', 'in', ids)] : [])]))
          .execute()
      : [];
    for (const row of rows) {
      const model = organisationRowToModel(row);
      byId.set(model.id, model);
      const list = byName.get(model.name.toLowerCase()) ?? [];
      list.push(model);
      byName.set(model.name.toLowerCase(), list);
    }
    const existingNetworks = new Set<string>();
    if (byId.size > 0) {
      const networkRows = await executor.selectFrom('organisation_networks').select(['organisation_id', 'kind', 'value']).where('organisation_id', 'in', [...byId.keys()]).execute();
      for (const n of networkRows) existingNetworks.add(`${n.organisation_id} ${n.kind} ${n.value}`);
    }
    const seenNames = new Map<string, number>();
    return candidates.map((candidate) => {
      const errors = [...candidate.errors];
      let target: OrganisationModel | null = null;
      if (candidate.id) {
        target = byId.get(candidate.id) ?? null;
        if (!target) errors.push(`no organisation has the ID ${candidate.id}`);
      } else if (candidate.fields.name) {
        const matches = byName.get(candidate.fields.name.toLowerCase()) ?? [];
        if (matches.length > 1) errors.push(`${matches.length} organisations are named "${candidate.fields.name}": give the id column to choose one`);
        target = matches.length === 1 ? matches[0]! : null;
      }
      const key = target?.id ?? candidate.fields.name?.toLowerCase() ?? '';
      const earlier = seenNames.get(key);
      if (earlier !== undefined && key) errors.push(`the same organisation is also on line ${earlier}`);
      else if (key) seenNames.set(key, candidate.line);
      if (target?.isSelf) errors.push('the instance\'s own team is edited in the app, not by import');
      if (!target && !candidate.fields.kind && errors.length === 0) errors.push('kind is required for a new organisation (csirt, isp, vendor, subscriber, government, other)');
      const merged = {
        kind: candidate.fields.kind ?? target?.kind ?? 'other',
        country: candidate.fields.country !== undefined ? candidate.fields.country : (target?.country ?? null),
        isNationalCsirt: candidate.fields.isNationalCsirt ?? target?.isNationalCsirt ?? false,
        timeZone: candidate.fields.timeZone !== undefined ? candidate.fields.timeZone : (target?.timeZone ?? null),
      };
      errors.push(...organisationProblems(merged));
      const changes: string[] = [];
      for (const [field, value] of Object.entries(candidate.fields) as [keyof OrganisationModel, unknown][]) {
        if (value === undefined) continue;
        if (!target || canonicalJson(target[field] ?? null) !== canonicalJson(value)) changes.push(field);
      }
      const newNetworks = candidate.networks.filter((n) => !target || !existingNetworks.has(`${target.id} ${n.kind} ${n.value}`));
      for (const n of newNetworks) changes.push(`+${n.kind} ${n.value}`);
      const line: DirectoryImportLine = {
        line: candidate.line,
        action: errors.length > 0 ? 'reject' : target ? 'update' : 'create',
        name: candidate.fields.name ?? target?.name ?? null,
        organisationId: target?.id ?? null,
        changes,
        errors,
      };
      return { line, candidate, target, newNetworks };
    });
  }

  async function runImport(ctx: RequestContext, candidates: DirectoryCandidate[], commit: boolean, source: string): Promise<DirectoryImportReport> {
    const report = (lines: DirectoryImportLine[], committed: boolean): DirectoryImportReport => ({
      committed,
      created: lines.filter((l) => l.action === 'create').length,
      updated: lines.filter((l) => l.action === 'update').length,
      rejected: lines.filter((l) => l.action === 'reject').length,
      lines,
    });
    if (!commit) return report((await planImport(db, candidates)).map((p) => p.line), false);
    // The plan is made again inside the transaction, so the commit does exactly what it reports.
    return db.transaction().execute(async (trx) => {
      const plan = await planImport(trx, candidates);
      for (const item of plan) {
        if (item.line.action === 'reject') continue;
        const changed = item.line.changes.some((change) => !change.startsWith('+'));
        let organisation = item.target;
        if (!organisation || changed) organisation = await applyOrganisationChange(trx, ctx, item.target, item.candidate.fields, item.target ? `organisation.update.${source}` : `organisation.create.${source}`);
        await addNetworks(trx, ctx, organisation.id, item.newNetworks);
        item.line.organisationId = organisation.id;
      }
      return report(plan.map((p) => p.line), true);
    });
  }

  async function instanceKeyRow(executor: Kysely<Schema> = db) {
    return executor.selectFrom('pgp_keys').selectAll().where('is_instance_key', '=', true).where('revoked_at', 'is', null).executeTakeFirst();
  }

  async function selfTeam(): Promise<OrganisationModel | null> {
    const row = await db.selectFrom('organisations').selectAll().where('is_self', '=', true).executeTakeFirst();
    return row ? organisationRowToModel(row) : null;
  }

  async function createInstanceKey(ctx: RequestContext, replace: boolean) {
    const team = await selfTeam();
    const generated = await generateInstanceKey({ name: team?.name ?? 'Renkei', email: team?.contactEmail ?? null, passphrase: options.pgpPassphrase, date: now() });
    const [inspected] = await inspectArmoredKeys(generated.publicArmored);
    if (!inspected) throw new Error('The generated key could not be read back');
    return db.transaction().execute(async (trx) => {
      const current = await instanceKeyRow(trx);
      if (current && !replace) return { created: false, fingerprint: current.fingerprint };
      if (current) {
        // Retire the old key with a real revocation certificate, so partners holding it learn it is replaced.
        let revokedArmored = current.armored;
        if (current.private_armored) {
          const privateKey = await unlockInstanceKey(current.private_armored, options.pgpPassphrase);
          const revoked = await openpgp.revokeKey({ key: privateKey, reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keySuperseded, string: `Superseded by ${inspected.fingerprint}` }, format: 'armored' });
          revokedArmored = revoked.publicKey;
        }
        await trx.updateTable('pgp_keys').set({ revoked_at: now(), armored: revokedArmored, private_armored: null, updated_at: now() }).where('id', '=', current.id).execute();
        await recordAudit(trx, ctx, { action: 'instance_key.revoke', targetType: 'pgp_key', targetId: current.id, after: { fingerprint: current.fingerprint } });
      }
      const row = await trx
        .insertInto('pgp_keys')
        .values({ ...keyColumns(inspected), is_instance_key: true, private_armored: generated.privateArmored, organisation_id: team?.id ?? null })
        .onConflict((conflict) => conflict.column('is_instance_key').where('is_instance_key', '=', true).where('revoked_at', 'is', null).doNothing())
        .returning(['id', 'fingerprint'])
        .executeTakeFirst();
      if (!row) {
        const other = await instanceKeyRow(trx);
        return { created: false, fingerprint: other!.fingerprint };
      }
      await recordAudit(trx, ctx, { action: 'instance_key.generate', targetType: 'pgp_key', targetId: row.id, after: { fingerprint: row.fingerprint, protected: options.pgpPassphrase !== null } });
      unlocked = null;
      return { created: true, fingerprint: row.fingerprint };
    });
  }

  async function signingKey(): Promise<{ key: openpgp.PrivateKey; fingerprint: string; userIds: string[] }> {
    let row = await instanceKeyRow();
    if (!row) {
      await createInstanceKey(systemContext('instance key (first use)'), false);
      row = await instanceKeyRow();
    }
    if (!row?.private_armored) throw new Error('The instance key has no private part');
    if (unlocked?.fingerprint !== row.fingerprint) unlocked = { fingerprint: row.fingerprint, key: await unlockInstanceKey(row.private_armored, options.pgpPassphrase) };
    return { key: unlocked.key, fingerprint: row.fingerprint, userIds: row.user_ids };
  }

  return {
    /** Organisations matching a name (en/ja), AS number, IP address or prefix, domain or e-mail address. */
    async searchOrganisations(ctx: RequestContext, query: { q?: string | undefined; kind?: string | undefined; country?: string | undefined; offset: number; limit: number }): Promise<{ items: OrganisationSummary[]; total: number }> {
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const conditions: RawBuilder<boolean>[] = [sql<boolean>`true`];
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
        if (ip) networkMatch = sql<boolean>`(n.kind = ${ip.kind} AND CASE WHEN n.kind IN ('ipv4', 'ipv6') THEN n.value::cidr >>= ${ip.address}::inet ELSE false END)`;
        else if (asn?.ok) networkMatch = sql<boolean>`(n.kind = 'asn' AND n.value = ${asn.value})`;
        else if (prefix?.ok && (prefix.kind === 'ipv4' || prefix.kind === 'ipv6')) networkMatch = sql<boolean>`(n.kind = ${prefix.kind} AND CASE WHEN n.kind IN ('ipv4', 'ipv6') THEN n.value::cidr && ${prefix.value}::cidr ELSE false END)`;
        else if (domain?.ok) networkMatch = sql<boolean>`(n.kind = 'domain' AND (n.value = ${domain.value} OR ${domain.value} LIKE '%.' || n.value))`;
        if (networkMatch) anyOf.push(sql<boolean>`EXISTS (SELECT 1 FROM organisation_networks n WHERE n.organisation_id = o.id AND ${networkMatch})`);
        if (email) anyOf.push(sql<boolean>`o.contact_email = ${email}`, sql<boolean>`EXISTS (SELECT 1 FROM people p WHERE p.organisation_id = o.id AND p.email = ${email})`);
        conditions.push(sql<boolean>`(${sql.join(anyOf, sql` OR `)})`);
      }
      const where = sql.join(conditions, sql` AND `);
      const matched = networkMatch ? sql<string | null>`(SELECT n.kind || ' ' || n.value FROM organisation_networks n WHERE n.organisation_id = o.id AND ${networkMatch} ORDER BY n.value LIMIT 1)` : sql<string | null>`NULL::text`;
      const rows = await sql<{ id: string; name: string; name_ja: string | null; kind: string; country: string | null; contact_email: string | null; is_national_csirt: boolean; is_self: boolean; matched: string | null }>`
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
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const organisation = await loadOrganisation(db, id);
      const [people, networks, keys] = await Promise.all([
        db.selectFrom('people').selectAll().where('organisation_id', '=', id).orderBy('is_role_address', 'desc').orderBy('name').execute(),
        db.selectFrom('organisation_networks').selectAll().where('organisation_id', '=', id).orderBy('kind').orderBy('value').execute(),
        keysWithHealth(db, (q) => q.where('k.organisation_id', '=', id)),
      ]);
      const addresses = [organisation.contactEmail, ...people.map((p) => p.email), ...networks.map((n) => n.abuse_email)].filter((a): a is string => !!a);
      return { organisation, people: people.map(personRowToModel), networks: networks.map(networkRowToModel), keys, deliveryStatus: await deliveryStatusOf(db, addresses) };
    },

    async createOrganisation(ctx: RequestContext, input: CreateOrganisationRequest): Promise<OrganisationModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      checkTimeZone(input.timeZone);
      return db.transaction().execute((trx) => applyOrganisationChange(trx, ctx, null, input, 'organisation.create'));
    },

    async updateOrganisation(ctx: RequestContext, id: string, patch: UpdateOrganisationRequest): Promise<OrganisationModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      checkTimeZone(patch.timeZone);
      return db.transaction().execute(async (trx) => applyOrganisationChange(trx, ctx, await loadOrganisation(trx, id), patch, 'organisation.update'));
    },

    /** Deletes an organisation with its people, networks and keys; not the instance's own team, nor one with user accounts. */
    async deleteOrganisation(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const existing = await loadOrganisation(trx, id);
        if (existing.isSelf) throw new ConflictError('organisation_is_self', 'The instance\'s own team cannot be deleted');
        const members = await trx.selectFrom('memberships').select(sql<number>`count(*)::int`.as('count')).where('organisation_id', '=', id).executeTakeFirstOrThrow();
        if (members.count > 0) throw new ConflictError('organisation_has_members', `${members.count} user account(s) belong to this organisation: remove them first`);
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
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const row = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
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
        const [added] = await addNetworks(trx, ctx, organisationId, [{ kind: parsed.kind, value: parsed.value, abuseEmail: input.abuseEmail?.toLowerCase() ?? null }]);
        if (!added) throw new ConflictError('network_exists', `${parsed.kind} ${parsed.value} is already listed for this organisation`);
        return added;
      });
    },

    async deleteNetwork(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('organisation_networks').where('id', '=', id).returningAll().executeTakeFirst();
        if (!removed) throw new NotFoundError('network_not_found', 'No such network');
        await recordAudit(trx, ctx, { action: 'organisation_network.delete', targetType: 'organisation', targetId: removed.organisation_id, before: networkRowToModel(removed) });
      });
    },

    /**
     * Imports armored public keys (each key of a multi-key paste), attached to an organisation or a person.
     * A key already held is refreshed (new expiry, user IDs, revocation); a revocation is never undone.
     */
    async importKeys(ctx: RequestContext, input: ImportKeysRequest): Promise<{ keys: KeyView[]; created: number; updated: number }> {
      contactsPolicy.authorize(ctx.actor, 'keys.import');
      const inspected = await inspectArmoredKeys(input.armored);
      let created = 0;
      let updated = 0;
      const fingerprints = await db.transaction().execute(async (trx) => {
        let organisationId = input.organisationId ?? null;
        const personId = input.personId ?? null;
        if (personId) {
          const person = await trx.selectFrom('people').select(['organisation_id']).where('id', '=', personId).executeTakeFirst();
          if (!person) throw new NotFoundError('person_not_found', 'No such person');
          if (organisationId && organisationId !== person.organisation_id) throw new BadRequestError('person_not_in_organisation', 'The person belongs to another organisation');
          organisationId = person.organisation_id;
        } else if (organisationId) {
          await loadOrganisation(trx, organisationId);
        }
        for (const key of inspected) {
          const existing = await trx.selectFrom('pgp_keys').select(PUBLIC_KEY_COLUMNS).where('fingerprint', '=', key.fingerprint).executeTakeFirst();
          if (existing?.is_instance_key) throw new ConflictError('instance_key', `${key.fingerprint} is this instance's own key`);
          const values = { ...keyColumns(key), revoked_at: existing?.revoked_at ?? key.revokedAt, organisation_id: organisationId ?? existing?.organisation_id ?? null, person_id: personId ?? existing?.person_id ?? null };
          if (existing) {
            await trx.updateTable('pgp_keys').set({ ...values, updated_at: now() }).where('id', '=', existing.id).execute();
            await recordAudit(trx, ctx, { action: 'pgp_key.update', targetType: 'pgp_key', targetId: existing.id, before: keySummary(keyRowToModel(existing)), after: { ...keySummary(key), organisationId: values.organisation_id, personId: values.person_id } });
            updated++;
          } else {
            const row = await trx.insertInto('pgp_keys').values(values).returning('id').executeTakeFirstOrThrow();
            await recordAudit(trx, ctx, { action: 'pgp_key.import', targetType: 'pgp_key', targetId: row.id, after: { ...keySummary(key), organisationId: values.organisation_id, personId: values.person_id } });
            created++;
          }
        }
        return inspected.map((key) => key.fingerprint);
      });
      // After the commit: mail that arrived before its key (unknown_key), or whose key changed (revoked), is judged again.
      // Best effort: should the enqueue fail, the re-check schedule (every 15 min) still picks up unknown_key messages.
      if (options.jobs) {
        await options.jobs.enqueue(RECHECK_SIGNATURES_JOB, { keyIds: [...new Set(inspected.flatMap((key) => key.keyIds))] }).catch((error: unknown) => {
          console.error(`contacts: could not ask for a signature re-check: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      const keys = await keysWithHealth(db, (q) => q.where('k.fingerprint', 'in', fingerprints));
      return { keys, created, updated };
    },

    /** Keys, optionally of one organisation, or only those with a warning (the health view). */
    async listKeys(ctx: RequestContext, filter: { organisationId?: string | undefined; unhealthy?: boolean | undefined; limit?: number }): Promise<KeyView[]> {
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const keys = await keysWithHealth(db, (q) => {
        let query = q.where('k.is_instance_key', '=', false);
        if (filter.organisationId) query = query.where('k.organisation_id', '=', filter.organisationId);
        return query.limit(filter.limit ?? 1000);
      });
      return filter.unhealthy ? keys.filter((key) => key.warnings.length > 0) : keys;
    },

    async getKey(ctx: RequestContext, id: string): Promise<KeyView> {
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const [key] = await keysWithHealth(db, (q) => q.where('k.id', '=', id));
      if (!key) throw new NotFoundError('key_not_found', 'No such key');
      return key;
    },

    async deleteKey(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('pgp_keys').select(PUBLIC_KEY_COLUMNS).where('id', '=', id).executeTakeFirst();
        if (!existing) throw new NotFoundError('key_not_found', 'No such key');
        if (existing.is_instance_key) throw new ConflictError('instance_key', 'The instance key is replaced, not deleted');
        await trx.deleteFrom('pgp_keys').where('id', '=', id).execute();
        await recordAudit(trx, ctx, { action: 'pgp_key.delete', targetType: 'pgp_key', targetId: id, before: keySummary(keyRowToModel(existing)) });
      });
    },

    /** A CSV of organisations and their networks: a dry run reports per line; `commit` applies it all in one transaction. */
    async importCsv(ctx: RequestContext, csv: string, commit: boolean): Promise<DirectoryImportReport> {
      contactsPolicy.authorize(ctx.actor, 'directory.import');
      return runImport(ctx, csvToCandidates(csv), commit, 'csv');
    },

    /** A FIRST team-directory JSON document: each team a CSIRT, matched by name. */
    async importTeamDirectory(ctx: RequestContext, document: unknown, commit: boolean): Promise<DirectoryImportReport> {
      contactsPolicy.authorize(ctx.actor, 'directory.import');
      return runImport(ctx, teamsToCandidates(document), commit, 'team_directory');
    },

    /** Every CSIRT in the directory as FIRST team-directory JSON. */
    async exportTeamDirectory(ctx: RequestContext): Promise<Record<string, unknown>[]> {
      contactsPolicy.authorize(ctx.actor, 'directory.export');
      const rows = await db.selectFrom('organisations').selectAll().where('kind', '=', 'csirt').orderBy('name').execute();
      const keys = await db.selectFrom('pgp_keys').select(['organisation_id', 'fingerprint']).where('organisation_id', 'in', rows.length ? rows.map((r) => r.id) : ['00000000-0000-0000-0000-000000000000']).where('revoked_at', 'is', null).where('is_instance_key', '=', false).execute();
      return rows.map((row) => organisationToTeam(organisationRowToModel(row), keys.filter((k) => k.organisation_id === row.id).map((k) => k.fingerprint)));
    },

    /** Makes the instance key if there is none (or replaces it, revoking the old one, when `replace`). */
    async generateInstanceKey(ctx: RequestContext, replace = false): Promise<{ created: boolean; fingerprint: string }> {
      contactsPolicy.authorize(ctx.actor, 'instanceKey.manage');
      return createInstanceKey(ctx, replace);
    },

    /** The instance's public key with whether its private part is protected, for staff. */
    async instanceKey(ctx: RequestContext) {
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const key = await this.instancePublicKey();
      if (!key) throw new NotFoundError('instance_key_missing', 'No instance key yet: it is made on first use, or with `renkei contacts instance-key generate`');
      return key;
    },

    /** The instance's public key, as anyone may fetch it; null before one is made. */
    async instancePublicKey(): Promise<{ fingerprint: string; armored: string; userIds: string[]; createdAt: Date; protected: boolean } | null> {
      const row = await instanceKeyRow();
      if (!row) return null;
      const isProtected = row.private_armored ? !(await openpgp.readPrivateKey({ armoredKey: row.private_armored })).isDecrypted() : false;
      return { fingerprint: row.fingerprint, armored: row.armored, userIds: row.user_ids, createdAt: row.created_at_key, protected: isProtected };
    },

    /** The signed `/.well-known/security.txt`; makes the instance key on first use. Null when there is no own team yet. */
    async securityTxt(): Promise<string | null> {
      const team = await selfTeam();
      if (!team) return null;
      const signer = await signingKey();
      return signCleartext(buildSecurityTxt({ team, key: signer, publicUrl: options.publicUrl, now: now() }), signer.key);
    },

    /** The team's RFC 2350 description in one language, signed. */
    async rfc2350(locale: 'en' | 'ja'): Promise<string | null> {
      const team = await selfTeam();
      if (!team) return null;
      const signer = await signingKey();
      return signCleartext(buildRfc2350({ team, key: signer, publicUrl: options.publicUrl, locale, signed: true }), signer.key);
    },

    /** Signs text with the instance key (for mail and published documents). */
    async signCleartext(text: string): Promise<string> {
      return signCleartext(text, (await signingKey()).key);
    },
  };
}

function keyColumns(key: InspectedKey) {
  return {
    fingerprint: key.fingerprint,
    armored: key.armored,
    user_ids: key.userIds,
    emails: key.emails,
    algorithm: key.algorithm,
    bits: key.bits,
    created_at_key: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
  };
}

/** What the audit log keeps of a key: never the key material. */
function keySummary(key: { fingerprint: string; userIds: string[]; expiresAt: Date | null; revokedAt: Date | null }) {
  return { fingerprint: key.fingerprint, userIds: key.userIds, expiresAt: key.expiresAt, revokedAt: key.revokedAt };
}
