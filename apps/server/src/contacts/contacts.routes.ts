import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AddressDeliveryStatus,
  CreateNetworkRequest,
  CreateOrganisationRequest,
  CreatePersonRequest,
  CsvImportRequest,
  DirectoryImportReport,
  ImportKeysRequest,
  ImportKeysResponse,
  Network,
  Organisation,
  OrganisationDetail,
  OrganisationSummary,
  Page,
  Person,
  PgpKey,
  SearchOrganisationsQuery,
  TeamDirectoryImportRequest,
  UpdateOrganisationRequest,
  UpdatePersonRequest,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { NetworkModel, OrganisationModel, PersonModel } from './contacts.repository.ts';
import type { ContactsService, KeyView } from './contacts.service.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The presenters: the only shapes the directory leaves the server in. */
export const organisationView = (o: OrganisationModel) => ({
  ...o,
  contactConfirmedAt: iso(o.contactConfirmedAt),
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});
export const personView = (p: PersonModel) => ({ ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() });
export const networkView = (n: NetworkModel) => ({ ...n, createdAt: n.createdAt.toISOString() });
export const keyView = (k: KeyView) => ({
  id: k.id,
  organisationId: k.organisationId,
  personId: k.personId,
  fingerprint: k.fingerprint,
  userIds: k.userIds,
  emails: k.emails,
  algorithm: k.algorithm,
  bits: k.bits,
  createdAtKey: k.createdAtKey.toISOString(),
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
  isInstanceKey: k.isInstanceKey,
  importedAt: k.importedAt.toISOString(),
  warnings: k.warnings,
  armored: k.armored,
});

/** `GET /contacts/people/:id`: the person page's one read. */
const PersonDetail = Type.Object({ person: Person, organisation: Organisation, keys: Type.Array(PgpKey), deliveryStatus: Type.Array(AddressDeliveryStatus) });

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const tags = ['contacts'];

/** The directory API under /api/v1/contacts. */
export const contactsRoutes: FastifyPluginAsyncTypebox<{ contacts: ContactsService }> = async (app, options) => {
  await organisationRoutes(app, options);
  await peopleAndNetworkRoutes(app, options);
  await keyAndExchangeRoutes(app, options);
};

/** Organisations. */
const organisationRoutes: FastifyPluginAsyncTypebox<{ contacts: ContactsService }> = async (app, { contacts }) => {
  app.get(
    '/contacts/organisations',
    {
      schema: {
        tags,
        summary: 'Search organisations by name (en/ja), AS number, IP address or prefix, domain or e-mail',
        querystring: SearchOrganisationsQuery,
        response: { 200: Page(OrganisationSummary), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await contacts.searchOrganisations(request.ctx, request.query);
      return { items: page.items, total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.post(
    '/contacts/organisations',
    { schema: { tags, summary: 'Create an organisation', body: CreateOrganisationRequest, response: { 201: Organisation, ...errorResponses(400, 401, 403) } } },
    async (request, reply) => reply.status(201).send(organisationView(await contacts.createOrganisation(request.ctx, request.body))),
  );

  app.get(
    '/contacts/organisations/:id',
    {
      schema: {
        tags,
        summary: 'An organisation with its people, networks and keys',
        params: IdParams,
        response: { 200: OrganisationDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const detail = await contacts.getOrganisation(request.ctx, request.params.id);
      return {
        organisation: organisationView(detail.organisation),
        people: detail.people.map(personView),
        networks: detail.networks.map(networkView),
        keys: detail.keys.map(keyView),
        deliveryStatus: detail.deliveryStatus.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })),
      };
    },
  );

  app.patch(
    '/contacts/organisations/:id',
    {
      schema: {
        tags,
        summary: 'Change an organisation',
        params: IdParams,
        body: UpdateOrganisationRequest,
        response: { 200: Organisation, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => organisationView(await contacts.updateOrganisation(request.ctx, request.params.id, request.body)),
  );

  app.delete(
    '/contacts/organisations/:id',
    {
      schema: {
        tags,
        summary: 'Delete an organisation with its people, networks and keys',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await contacts.deleteOrganisation(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
};

/** The people of organisations and the networks they answer for. */
const peopleAndNetworkRoutes: FastifyPluginAsyncTypebox<{ contacts: ContactsService }> = async (app, { contacts }) => {
  app.post(
    '/contacts/organisations/:id/people',
    {
      schema: {
        tags,
        summary: 'Add a person or role address',
        params: IdParams,
        body: CreatePersonRequest,
        response: { 201: Person, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(personView(await contacts.createPerson(request.ctx, request.params.id, request.body))),
  );

  app.get(
    '/contacts/people/:id',
    {
      schema: {
        tags,
        summary: 'A person with their organisation, their keys and the delivery status of their address',
        params: IdParams,
        response: { 200: PersonDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const detail = await contacts.getPerson(request.ctx, request.params.id);
      return {
        person: personView(detail.person),
        organisation: organisationView(detail.organisation),
        keys: detail.keys.map(keyView),
        deliveryStatus: detail.deliveryStatus.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })),
      };
    },
  );

  app.patch(
    '/contacts/people/:id',
    {
      schema: {
        tags,
        summary: 'Change a person',
        params: IdParams,
        body: UpdatePersonRequest,
        response: { 200: Person, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => personView(await contacts.updatePerson(request.ctx, request.params.id, request.body)),
  );

  app.delete(
    '/contacts/people/:id',
    { schema: { tags, summary: 'Remove a person', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await contacts.deletePerson(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/contacts/organisations/:id/networks',
    {
      schema: {
        tags,
        summary: 'Add an AS number, prefix or domain',
        params: IdParams,
        body: CreateNetworkRequest,
        response: { 201: Network, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(networkView(await contacts.addNetwork(request.ctx, request.params.id, request.body))),
  );

  app.delete(
    '/contacts/networks/:id',
    { schema: { tags, summary: 'Remove a network resource', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await contacts.deleteNetwork(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
};

/** PGP keys, CSV and team-directory import and export, and the instance's own key. */
const keyAndExchangeRoutes: FastifyPluginAsyncTypebox<{ contacts: ContactsService }> = async (app, { contacts }) => {
  app.get(
    '/contacts/keys',
    {
      schema: {
        tags,
        summary: 'Directory PGP keys with their health; `unhealthy=true` lists only keys with a warning',
        querystring: Type.Object({ organisationId: Type.Optional(Type.String({ format: 'uuid' })), unhealthy: Type.Boolean({ default: false }) }),
        response: { 200: Type.Array(PgpKey), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) =>
      (await contacts.listKeys(request.ctx, { organisationId: request.query.organisationId, unhealthy: request.query.unhealthy })).map(keyView),
  );

  app.post(
    '/contacts/keys',
    {
      schema: {
        tags,
        summary: 'Import armored OpenPGP public keys (private keys are refused)',
        body: ImportKeysRequest,
        response: { 200: ImportKeysResponse, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => {
      const result = await contacts.importKeys(request.ctx, request.body);
      return { keys: result.keys.map(keyView), created: result.created, updated: result.updated };
    },
  );

  app.get(
    '/contacts/keys/:id',
    { schema: { tags, summary: 'One key with its health', params: IdParams, response: { 200: PgpKey, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => keyView(await contacts.getKey(request.ctx, request.params.id)),
  );

  app.delete(
    '/contacts/keys/:id',
    { schema: { tags, summary: 'Remove a key', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      await contacts.deleteKey(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/contacts/import/csv',
    {
      schema: {
        tags,
        summary: 'Import organisations and networks from CSV: a dry run unless commit=true',
        body: CsvImportRequest,
        response: { 200: DirectoryImportReport, ...errorResponses(400, 401, 403, 413) },
      },
    },
    async (request) => contacts.importCsv(request.ctx, request.body.csv, request.body.commit),
  );

  app.post(
    '/contacts/import/team-directory',
    {
      schema: {
        tags,
        summary: 'Import FIRST team-directory JSON: a dry run unless commit=true',
        body: TeamDirectoryImportRequest,
        response: { 200: DirectoryImportReport, ...errorResponses(400, 401, 403, 413) },
      },
    },
    async (request) => contacts.importTeamDirectory(request.ctx, request.body.teams, request.body.commit),
  );

  app.get(
    '/contacts/export/team-directory',
    {
      schema: {
        tags,
        summary: 'Every CSIRT as FIRST team-directory JSON',
        response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown())), ...errorResponses(401, 403) },
      },
    },
    async (request) => contacts.exportTeamDirectory(request.ctx),
  );

  const InstanceKey = Type.Object({
    fingerprint: Type.String(),
    armored: Type.String(),
    userIds: Type.Array(Type.String()),
    createdAt: Type.String(),
    protected: Type.Boolean({ description: 'True when the private part is stored passphrase-encrypted' }),
  });

  app.get(
    '/contacts/instance-key',
    { schema: { tags, summary: "The instance's own public key", response: { 200: InstanceKey, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const key = await contacts.instanceKey(request.ctx);
      return { ...key, createdAt: key.createdAt.toISOString() };
    },
  );

  app.post(
    '/contacts/instance-key',
    {
      schema: {
        tags,
        summary: "Make the instance's key, or replace (and revoke) it with replace=true (admin)",
        body: Type.Object({ replace: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ created: Type.Boolean(), fingerprint: Type.String() }), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => contacts.generateInstanceKey(request.ctx, request.body.replace),
  );
};
