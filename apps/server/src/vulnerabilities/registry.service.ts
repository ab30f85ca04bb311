import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CreateVendorProductRequest, UpdateVendorProductRequest } from '@renkei/contract';
import type { OrganisationRef } from '../contacts/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import type { RequestContext } from '../policy/actor.ts';
import { backOfficePolicy } from './back-office.policy.ts';
import { createCaseAccess, isTeam } from './case-access.ts';
import { type CompiledRegistry, CpeError, PurlError, compileRegistry, formatCpe, formatPurl, parseCpe, parsePurl, proposeVendors } from './registry/index.ts';
import {
  type VendorProductRow,
  allVendorProducts,
  deleteVendorProduct,
  findVendorProduct,
  insertVendorProduct,
  listVendorProducts,
  proposalInputOf,
  registryVersion,
  updateVendorProduct,
} from './registry.repository.ts';

export interface RegistryDeps {
  db: Kysely<Schema>;
  organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
  now: () => Date;
}

const productNotFound = () => new NotFoundError('vendor_product_not_found', 'No such product in the registry');

/** Each entry parsed and normalised, or a 400 naming the entry (`cpes[2] "…": why`). */
function normaliseList(field: 'cpes' | 'purls', values: readonly string[] | undefined): string[] {
  const out = new Set<string>();
  (values ?? []).forEach((value, index) => {
    try {
      out.add(field === 'cpes' ? formatCpe(parseCpe(value.trim())) : formatPurl(parsePurl(value.trim())));
    } catch (error) {
      if (!(error instanceof CpeError || error instanceof PurlError)) throw error;
      const shown = JSON.stringify(cleanText(value, 80));
      throw new BadRequestError(field === 'cpes' ? 'invalid_cpe' : 'invalid_purl', `${field}[${index}] ${shown}: ${error.message}`, [
        { path: `/${field}/${index}`, message: error.message },
      ]);
    }
  });
  return [...out];
}

const texts = (values: readonly string[] | undefined, max: number) => [...new Set((values ?? []).map((v) => cleanText(v, max).trim()).filter(Boolean))];

/**
 * The product-developer registry: vendors' products with CPE 2.3 names, package URLs and keywords, and
 * the vendors it proposes for a case. Compiling the registry (parsing every CPE and purl) is kept
 * between queries until the registry changes.
 */
export function createRegistry(deps: RegistryDeps) {
  const { db, now } = deps;
  const { open } = createCaseAccess(deps);
  let cached: { key: string; compiled: CompiledRegistry } | null = null;
  /** Bumped by every write of this process, so its own changes never wait on timestamps. */
  let generation = 0;

  async function openProduct(ctx: RequestContext, id: string) {
    const row = await findVendorProduct(db, backOfficePolicy.detailScope(ctx.actor, 'products.read', productNotFound), id);
    if (!row) throw productNotFound();
    backOfficePolicy.authorize(ctx.actor, 'products.write');
    return row;
  }

  function ownerOf(ctx: RequestContext, organisationId: string | undefined): string {
    backOfficePolicy.authorize(ctx.actor, 'products.write');
    if (isTeam(ctx)) {
      if (!organisationId) throw new BadRequestError('organisation_required', 'Name the vendor (organisationId) the product belongs to');
      return organisationId;
    }
    const own = ctx.actor.kind === 'user' ? [...new Set(ctx.actor.memberships.map((m) => m.organisationId))] : [];
    if (organisationId === undefined && own.length === 1) return own[0]!;
    // Another organisation's products are not the vendor's to touch: the same 404 as an unknown vendor.
    if (organisationId === undefined || !own.includes(organisationId)) throw new NotFoundError('organisation_not_found', 'No such organisation');
    return organisationId;
  }

  async function compiled(): Promise<{ registry: CompiledRegistry; cacheHit: boolean }> {
    const version = await registryVersion(db);
    const owners = await db.selectFrom('vendor_products').select('organisation_id').distinct().execute();
    const names = await deps.organisationsByIds(owners.map((o) => o.organisation_id));
    // A renamed vendor changes what its name matches: its name is part of the key.
    const nameHash = createHash('sha256')
      .update(
        [...names.values()]
          .map((o) => `${o.id}=${o.name}`)
          .sort()
          .join('\n'),
      )
      .digest('base64url');
    const key = `${generation}/${version}/${nameHash}`;
    if (cached?.key === key) return { registry: cached.compiled, cacheHit: true };
    const rows = await allVendorProducts(db);
    const registry = compileRegistry(
      rows.map((r) => ({
        productId: r.id,
        organisationId: r.organisation_id,
        vendorName: names.get(r.organisation_id)?.name ?? '',
        productName: r.name,
        aliases: r.aliases,
        cpes: r.cpes,
        purls: r.purls,
        keywords: r.keywords,
      })),
    );
    cached = { key, compiled: registry };
    return { registry, cacheHit: false };
  }

  const vendorNamesOf = async (rows: readonly VendorProductRow[]) => deps.organisationsByIds(rows.map((r) => r.organisation_id));

  return {
    async listVendorProducts(ctx: RequestContext, filter: { organisationId?: string | undefined; q?: string | undefined; offset: number; limit: number }) {
      const page = await listVendorProducts(db, backOfficePolicy.listScope(ctx.actor, 'products.read'), filter);
      return { ...page, names: await vendorNamesOf(page.rows) };
    },

    async getVendorProduct(ctx: RequestContext, id: string) {
      const row = await findVendorProduct(db, backOfficePolicy.detailScope(ctx.actor, 'products.read', productNotFound), id);
      if (!row) throw productNotFound();
      return { row, names: await vendorNamesOf([row]) };
    },

    async createVendorProduct(ctx: RequestContext, input: CreateVendorProductRequest) {
      const organisationId = ownerOf(ctx, input.organisationId);
      const organisation = (await deps.organisationsByIds([organisationId])).get(organisationId);
      if (!organisation) throw new BadRequestError('organisation_not_found', 'No such organisation in the directory');
      const values = {
        organisation_id: organisationId,
        name: cleanText(input.name, 300).trim(),
        aliases: texts(input.aliases, 300),
        cpes: normaliseList('cpes', input.cpes),
        purls: normaliseList('purls', input.purls),
        keywords: texts(input.keywords, 100),
      };
      if (!values.name) throw new BadRequestError('invalid_product_name', 'A product needs a name');
      const row = await db.transaction().execute(async (trx) => {
        const at = now();
        const created = await insertVendorProduct(trx, { ...values, created_at: at, updated_at: at });
        if (!created) throw new ConflictError('vendor_product_exists', 'This vendor already has a product of that name');
        await recordAudit(trx, ctx, { action: 'vendor_product.create', targetType: 'vendor_product', targetId: created.id, after: values });
        return created;
      });
      generation++;
      return { row, names: new Map([[organisation.id, organisation]]) };
    },

    async updateVendorProduct(ctx: RequestContext, id: string, input: UpdateVendorProductRequest) {
      const before = await openProduct(ctx, id);
      const changes = {
        ...(input.name !== undefined ? { name: cleanText(input.name, 300).trim() } : {}),
        ...(input.aliases !== undefined ? { aliases: texts(input.aliases, 300) } : {}),
        ...(input.cpes !== undefined ? { cpes: normaliseList('cpes', input.cpes) } : {}),
        ...(input.purls !== undefined ? { purls: normaliseList('purls', input.purls) } : {}),
        ...(input.keywords !== undefined ? { keywords: texts(input.keywords, 100) } : {}),
      };
      if (changes.name === '') throw new BadRequestError('invalid_product_name', 'A product needs a name');
      const row = await db.transaction().execute(async (trx) => {
        const updated = await updateVendorProduct(trx, id, { ...changes, updated_at: now() });
        if (!updated) throw new ConflictError('vendor_product_exists', 'This vendor already has a product of that name');
        await recordAudit(trx, ctx, { action: 'vendor_product.update', targetType: 'vendor_product', targetId: id, before, after: changes });
        return updated;
      });
      generation++;
      return { row, names: await vendorNamesOf([row]) };
    },

    async deleteVendorProduct(ctx: RequestContext, id: string) {
      const before = await openProduct(ctx, id);
      await db.transaction().execute(async (trx) => {
        await deleteVendorProduct(trx, id);
        await recordAudit(trx, ctx, { action: 'vendor_product.delete', targetType: 'vendor_product', targetId: id, before });
      });
      generation++;
    },

    /**
     * The vendors the registry proposes for a case (from its report's product, developer, version and CWE,
     * and the case's title), strongest first, leaving out vendors already on the case. Team only.
     */
    async proposeCaseVendors(ctx: RequestContext, caseId: string) {
      await open(ctx, caseId);
      backOfficePolicy.authorize(ctx.actor, 'contacts.read');
      const input = await proposalInputOf(db, caseId);
      const { registry, cacheHit } = await compiled();
      const cwe = input.vulnerability_type ? [input.vulnerability_type] : [];
      const proposals = proposeVendors({
        registry,
        query: {
          productName: cleanText(input.product_name ?? input.title, 1000),
          ...(input.developer_name ? { vendorName: cleanText(input.developer_name, 1000) } : {}),
          ...(input.product_version ? { version: cleanText(input.product_version, 256) } : {}),
          keywords: [...new Set([...cwe, ...input.cwes])].slice(0, 50),
          description: [input.title, input.title_ja ?? '', input.summary, input.description ?? ''].join('\n'),
        },
      });
      return { proposals: proposals.filter((p) => !input.onCase.has(p.organisationId)), skippedEntries: registry.problems.length, cacheHit };
    },
  };
}
