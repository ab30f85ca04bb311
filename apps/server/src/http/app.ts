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
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { ErrorResponse } from '@renkei/contract';
import { accountsRoutes } from '../accounts/accounts.routes.ts';
import { auditRoutes } from '../audit/audit.routes.ts';
import type { Config } from '../config.ts';
import { healthRoutes } from '../health/health.routes.ts';
import { portalRoutes } from '../portal/portal.routes.ts';
import type { Services } from '../services.ts';
import { installAuthentication } from './auth.ts';
import { installErrorHandling } from './error-handler.ts';
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

/**
 * Builds the HTTP application over the given services. Does not listen: `app.listen` or `app.inject`.
 * @example const app = await buildApp(config, services); await app.inject({ url: '/api/v1/health' });
 */
export async function buildApp(config: Config, services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'] },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    requestIdHeader: false,
    genReqId: (request) => {
      // Keep a caller's request ID when it is a sane token, so a proxy's logs join ours.
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);
  app.addSchema(ErrorResponse);

  await app.register(helmet, { contentSecurityPolicy: { directives: APP_CSP }, crossOriginEmbedderPolicy: false, hsts: config.secureCookies });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  // Limits are per client address and per process; they are only opted into per route.
  await app.register(rateLimit, { global: false, errorResponseBuilder: (_request, context) => ({ statusCode: 429, error: 'rate_limited', message: `Too many requests: try again in ${Math.ceil(context.ttl / 1000)} s` }) });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Renkei API', version: VERSION, description: 'The coordination CSIRT platform. Authenticate with `Authorization: Bearer <token>` or a session cookie plus `X-CSRF-Token`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'renkei_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  installAuthentication(app, services.accounts, config.publicUrl);

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { services });
      await api.register(accountsRoutes, { accounts: services.accounts, sessionTtlHours: config.sessionTtlHours, secureCookies: config.secureCookies, loginRateLimitPerMinute: config.loginRateLimitPerMinute });
      await api.register(auditRoutes, { audit: services.audit });
    },
    { prefix: '/api/v1' },
  );
  await app.register(portalRoutes, { services });
  await registerWebApp(app, config.webDistDir);
  return app;
}

/** Serves the built staff app at /app/, with index.html for every client-side route. */
async function registerWebApp(app: FastifyInstance, distDir: string): Promise<void> {
  const indexPath = path.join(distDir, 'index.html');
  if (!fs.existsSync(indexPath)) {
    app.get('/app/*', async (_request, reply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built yet: run `npm run build:web` and reload.\nウェブアプリがまだビルドされていません。`npm run build:web` を実行してください。'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: distDir, prefix: '/app/', index: false, wildcard: false, decorateReply: true, maxAge: '1h' });
  const serveIndex = async (_request: unknown, reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
  app.get('/app', async (_request, reply) => reply.redirect('/app/'));
  app.get('/app/', serveIndex);
  app.get('/app/*', serveIndex);
}
