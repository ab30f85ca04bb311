import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifySchema } from 'fastify';
import { ErrorResponse } from '@renkei/contract';
import { accountsRoutes } from '../accounts/index.ts';
import { auditRoutes } from '../audit/index.ts';
import { contactsRoutes, networkRoutes, wellKnownRoutes } from '../contacts/index.ts';
import type { Config } from '../config.ts';
import { feedsRoutes } from '../feeds/index.ts';
import { healthRoutes } from '../health/index.ts';
import { incidentsRoutes, reportPortalRoutes } from '../incidents/index.ts';
import { vulnerabilitiesRoutes, vulnerabilityPortalRoutes, vulnerabilityReportFileRoutes } from '../vulnerabilities/index.ts';
import { mailRoutes } from '../mail/index.ts';
import { type TeamSource, createPublicSite, formKey, portalRoutes, spentFormTokens } from '../portal/index.ts';
import type { Services } from './services.ts';
import { statisticsPortalRoutes, statisticsRoutes } from '../statistics/index.ts';
import { installAuthentication } from '../http/auth.ts';
import { BadRequestError, TooManyRequestsError } from '../kernel/errors.ts';
import { createLogger } from '../kernel/logger.ts';
import { clientErrorHandler, installErrorHandling, replyWithError } from '../http/error-handler.ts';
import { guardInput } from '../http/input-guard.ts';
import { limitCaller } from '../http/rate-limit.ts';
import { createRateLimitCounter, rateLimitStoreOver } from '../http/rate-limit-store.ts';
import { ERROR_RESPONSE } from '../http/openapi.ts';
import { VERSION } from '../version.ts';

// The staff app's policy: nothing inline but styles (Mantine injects them), nothing from elsewhere.
const APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

// The API docs page (Swagger UI): its own scripts and styles only; no top bar, whose logo is an inline style.
const DOCS_CSP =
  "default-src 'self'; base-uri 'none'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " +
  "img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'";

export interface BuildOptions {
  /** Where JSON log lines go instead of the process logger; tests read request IDs from them. */
  logStream?: { write(line: string): void };
}

/** A registered route, as `routesOf` lists it. */
export interface RouteSummary {
  method: string;
  url: string;
  schema: FastifySchema | undefined;
}

const registeredRoutes = new WeakMap<FastifyInstance, RouteSummary[]>();

/**
 * Every route the app registered (one entry per method), for tests that must cover all of them.
 * @example for (const route of routesOf(app)) await app.inject({ method: route.method, url: route.url });
 */
export function routesOf(app: FastifyInstance): readonly RouteSummary[] {
  return registeredRoutes.get(app) ?? [];
}

/**
 * Builds the HTTP application over the given services. Does not listen: `app.listen` or `app.inject`.
 * @example const app = await buildApp(config, services); await app.inject({ url: '/api/v1/health' });
 */
export async function buildApp(config: Config, services: Services, options: BuildOptions = {}): Promise<FastifyInstance> {
  const log = options.logStream ? createLogger({ level: config.logLevel, name: 'renkei', destination: options.logStream }) : services.log;
  // Typed as Fastify's base logger so the app keeps its default type (routes plugins are written against it).
  const httpLog: FastifyBaseLogger = log.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLog,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    requestIdHeader: false,
    genReqId: (request) => {
      // Keep a caller's request ID when it is a sane token, so a proxy's logs join ours.
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    // Failures before routing (bad percent-encoding, over-long parameters) and on the wire: our shape too.
    frameworkErrors: (error, request, reply) => replyWithError(error, request, reply),
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RouteSummary[] = [];
  registeredRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema });
    // Every API operation documents (and serialises) its failures in the one error shape.
    if (route.url.startsWith('/api/v1/') && route.schema) {
      const response = (route.schema.response ??= {}) as Record<string, unknown>;
      for (const range of ['4xx', '5xx']) response[range] ??= ERROR_RESPONSE;
    }
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);
  app.addSchema(ErrorResponse);

  // JSON without secure-json-parse's silent 'invalid JSON' for poisoned keys: guardInput names them.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: config.bodyLimitBytes }, (_request, body, done) => {
    if (body === '') return done(new BadRequestError('malformed_json', 'The body is empty but says it is JSON'), undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new BadRequestError('malformed_json', 'The body is not valid JSON'), undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    guardInput(request.params, 'params');
    guardInput(request.query, 'querystring');
    guardInput(request.body, 'body');
  });

  await app.register(helmet, {
    contentSecurityPolicy: { directives: { ...APP_CSP, upgradeInsecureRequests: config.secureCookies ? [] : null } },
    crossOriginEmbedderPolicy: false,
    hsts: config.secureCookies,
    frameguard: { action: 'deny' },
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  // Limits are opted into per route: per client address (`config.rateLimit`), or per API token and
  // organisation (`config.callerLimit`); counted in the database, so every server process agrees.
  const counter = createRateLimitCounter(services.database.db);
  const callerLimits = { perTokenPerMinute: config.apiSubmissionsPerTokenPerMinute, perOrganisationPerMinute: config.apiSubmissionsPerOrganisationPerMinute };
  app.addHook('preHandler', (request, reply) => limitCaller(counter, callerLimits, request, reply));
  await app.register(rateLimit, {
    global: false,
    store: rateLimitStoreOver(counter),
    errorResponseBuilder: (_request, context) => new TooManyRequestsError('rate_limited', `Too many requests: try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Renkei API',
        version: VERSION,
        description: 'The coordination CSIRT platform. Authenticate with `Authorization: Bearer <token>` or a session cookie plus `X-CSRF-Token`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'renkei_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: DOCS_CSP + (config.secureCookies ? '; upgrade-insecure-requests' : ''),
    uiConfig: { layout: 'BaseLayout' },
  });

  installAuthentication(app, services.accounts, config.publicUrl);

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { services });
      await api.register(accountsRoutes, {
        accounts: services.accounts,
        sessionTtlHours: config.sessionTtlHours,
        secureCookies: config.secureCookies,
        loginRateLimitPerMinute: config.loginRateLimitPerMinute,
      });
      await api.register(auditRoutes, { audit: services.audit });
      await api.register(contactsRoutes, { contacts: services.contacts });
      await api.register(networkRoutes, { network: services.networkLookup });
      await api.register(mailRoutes, { mail: services.mail });
      await api.register(feedsRoutes, { feeds: services.feeds });
      await api.register(incidentsRoutes, { incidents: services.incidents });
      await api.register(statisticsRoutes, { statistics: services.statistics });
      await api.register(vulnerabilitiesRoutes, { vulnerabilities: services.vulnerabilities });
      await api.register(vulnerabilityReportFileRoutes, { vulnerabilities: services.vulnerabilities });
    },
    { prefix: '/api/v1' },
  );
  const site = createPublicSite({
    team: publicTeam(services.contacts),
    formKey: formKey(services.database.db),
    spendToken: spentFormTokens(services.database.db),
    secureCookies: config.secureCookies,
  });
  await app.register(portalRoutes, { site, instanceKeyFingerprint: () => services.contacts.instanceKeyFingerprint() });
  await app.register(reportPortalRoutes, { incidents: services.incidents, site, config });
  await app.register(vulnerabilityPortalRoutes, { vulnerabilities: services.vulnerabilities, site, blobs: services.blobs, config });
  await app.register(statisticsPortalRoutes, { statistics: services.statistics, site });
  await app.register(wellKnownRoutes, { contacts: services.contacts });
  await registerWebApp(app, config.webDistDir);
  return app;
}

/** The team as the public site shows it, from the directory's team identity (none before the team exists). */
function publicTeam(contacts: Services['contacts']): TeamSource {
  return async () => {
    const team = await contacts.teamIdentity();
    return team.organisationId === null
      ? null
      : { name: team.name, nameJa: team.nameJa, contactEmail: team.contactEmail, contactPhone: team.contactPhone, website: team.website };
  };
}

/** Serves the built staff app at /app/, with index.html for every client-side route. */
async function registerWebApp(app: FastifyInstance, distDir: string): Promise<void> {
  const indexPath = path.join(distDir, 'index.html');
  if (!fs.existsSync(indexPath)) {
    app.get('/app/*', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web app is not built yet: run `npm run build:web` and reload.\nウェブアプリがまだビルドされていません。`npm run build:web` を実行してください。',
        ),
    );
    return;
  }
  await app.register(fastifyStatic, { root: distDir, prefix: '/app/', index: false, wildcard: false, decorateReply: true, maxAge: '1h' });
  const serveIndex = async (_request: unknown, reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
  const hidden = { schema: { hide: true } };
  app.get('/app', hidden, async (_request, reply) => reply.redirect('/app/'));
  app.get('/app/', hidden, serveIndex);
  app.get('/app/*', hidden, serveIndex);
}
