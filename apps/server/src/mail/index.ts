// The mail domain's manifest: SMTP/IMAP intake, the mailbox, PGP, outbound mail through the relay, templates.
export { type InboundHandOver, type MailService, type OutboundDelivery, type PreparedMail, type QueuedMail, createMailService } from './mail.service.ts';
export { mailRoutes } from './mail.routes.ts';
export { mailJobDefinitions } from './mail.jobs.ts';
export { type SmtpListener, startSmtpListener } from './smtp-listener.ts';
export { directoryKeyRing } from './directory-key-ring.ts';
export { type MailLanguage, type MailTemplate, renderTemplate } from './templates.ts';
export { bracketTokens } from './reply-token.ts';
