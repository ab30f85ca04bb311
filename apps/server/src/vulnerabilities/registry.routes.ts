import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AssignedCve,
  CreateVendorProductRequest,
  CvePoolSummary,
  UpdateVendorProductRequest,
  VendorProduct,
  VendorProductListQuery,
  VendorProductPage,
  VendorProposalList,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import { presentVendorProduct, presentVendorProposals } from './back-office.presenter.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['vulnerabilities'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const VulnerabilityParams = Type.Object({ id: Type.String({ format: 'uuid' }), vulnerabilityId: Type.String({ format: 'uuid' }) });
const nextOffset = (offset: number, limit: number, total: number) => (offset + limit < total ? offset + limit : null);

/**
 * The product-developer registry (`/vendor-products`; a vendor's users keep their own organisation's
 * products), its vendor proposals for a case, and CVE IDs from the reserved pool.
 */
export const registryRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/vendor-products',
    {
      schema: {
        tags,
        summary: "Products of the registry by name (a vendor's user: its own organisation's only)",
        querystring: VendorProductListQuery,
        response: { 200: VendorProductPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await vulnerabilities.listVendorProducts(request.ctx, request.query);
      return { items: page.rows.map((r) => presentVendorProduct(r, page.names)), total: page.total, nextOffset: nextOffset(offset, limit, page.total) };
    },
  );

  app.post(
    '/vendor-products',
    {
      schema: {
        tags,
        summary: 'Add a product: every CPE and package URL is checked and normalised (a 400 names the bad entry)',
        body: CreateVendorProductRequest,
        response: { 201: VendorProduct, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { row, names } = await vulnerabilities.createVendorProduct(request.ctx, request.body);
      return reply.status(201).send(presentVendorProduct(row, names));
    },
  );

  app.get(
    '/vendor-products/:id',
    { schema: { tags, summary: 'A product of the registry', params: IdParams, response: { 200: VendorProduct, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const { row, names } = await vulnerabilities.getVendorProduct(request.ctx, request.params.id);
      return presentVendorProduct(row, names);
    },
  );

  app.patch(
    '/vendor-products/:id',
    {
      schema: {
        tags,
        summary: 'Change a product (the fields given replace the stored ones)',
        params: IdParams,
        body: UpdateVendorProductRequest,
        response: { 200: VendorProduct, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { row, names } = await vulnerabilities.updateVendorProduct(request.ctx, request.params.id, request.body);
      return presentVendorProduct(row, names);
    },
  );

  app.delete(
    '/vendor-products/:id',
    {
      schema: { tags, summary: 'Remove a product from the registry', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await vulnerabilities.deleteVendorProduct(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/cases/:id/vendor-proposals',
    {
      schema: {
        tags,
        summary:
          "Vendors the registry proposes for the case (from its report's product, developer, version and CWE, and its title), with the reason for each; vendors already on the case are left out",
        params: IdParams,
        response: { 200: VendorProposalList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { proposals, skippedEntries } = await vulnerabilities.proposeCaseVendors(request.ctx, request.params.id);
      return presentVendorProposals(proposals, skippedEntries);
    },
  );

  app.get(
    '/cve-pool',
    {
      schema: {
        tags,
        summary: 'The pool of reserved CVE IDs: free and assigned counts, the next to give',
        response: { 200: CvePoolSummary, ...errorResponses(401, 403) },
      },
    },
    async (request) => vulnerabilities.cvePoolSummary(request.ctx),
  );

  app.post(
    '/cases/:id/vulnerabilities/:vulnerabilityId/cve',
    {
      schema: {
        tags,
        summary: 'Give the vulnerability the lowest free CVE ID of the pool (idempotent: one it has is kept); 409 `cve_pool_empty` when none is left',
        params: VulnerabilityParams,
        response: { 200: AssignedCve, 201: AssignedCve, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { cveId, assignedAt, newlyAssigned } = await vulnerabilities.assignCve(request.ctx, request.params.id, request.params.vulnerabilityId);
      return reply
        .status(newlyAssigned ? 201 : 200)
        .send({ vulnerabilityId: request.params.vulnerabilityId, cveId, assignedAt: assignedAt.toISOString(), newlyAssigned });
    },
  );
};
