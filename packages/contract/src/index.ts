export * from './accounts.ts';
export * from './common.ts';
export * from './roles.ts';
export * from './tlp.ts';
export * from './contacts.ts';
export * from './mail.ts';
export * from './network-lookup.ts';
export * from './incidents.ts';
export * from './feeds.ts';
export * from './statistics.ts';
export * from './vulnerabilities.ts';
export * from './advisories.ts';
export * from './vulnerabilities-registry.ts';
export * from './vendor-mail.ts';
/** TypeBox's static type, so clients name a schema's type without depending on TypeBox. */
export type { Static } from '@sinclair/typebox';
export * from './webhooks.ts';
export * from './case-timeline.ts';
