import type { FastifyPluginAsync } from 'fastify';
import type { ContactsService } from './contacts.service.ts';

const TEXT = 'text/plain; charset=utf-8';

/** The team's public documents: security.txt (RFC 9116), its RFC 2350 description and its public key, all unauthenticated. */
export const wellKnownRoutes: FastifyPluginAsync<{ contacts: ContactsService }> = async (app, { contacts }) => {
  app.get('/.well-known/security.txt', { schema: { hide: true } }, async (_request, reply) => {
    const text = await contacts.securityTxt();
    if (!text) return reply.status(404).type(TEXT).send('No team is set up yet.\n');
    return reply.type(TEXT).header('cache-control', 'public, max-age=3600').send(text);
  });
  // The old location RFC 9116 §3 still lets clients try.
  app.get('/security.txt', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/.well-known/security.txt', 301));

  app.get('/rfc2350.txt', { schema: { hide: true } }, async (request, reply) => {
    const lang = (request.query as Record<string, unknown>).lang;
    const locale = lang === 'ja' ? 'ja' : 'en';
    const text = await contacts.rfc2350(locale);
    if (!text) return reply.status(404).type(TEXT).send('No team is set up yet.\n');
    return reply.type(TEXT).header('content-language', locale).header('cache-control', 'public, max-age=3600').send(text);
  });

  app.get('/pgp-key.txt', { schema: { hide: true } }, async (_request, reply) => {
    // Make the key on first use, as security.txt does, so the Encryption link never points at nothing.
    let key = await contacts.instancePublicKey();
    if (!key && (await contacts.securityTxt())) key = await contacts.instancePublicKey();
    if (!key) return reply.status(404).type(TEXT).send('No key yet.\n');
    return reply.type('application/pgp-keys; charset=utf-8').header('cache-control', 'public, max-age=3600').send(key.armored);
  });
};
