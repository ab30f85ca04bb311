// The contacts domain's manifest: the directory (organisations, people, PGP keys, networks, the
// instance key) and, in network/, "who can act on this?" lookups.
export { type ContactsService, type OrganisationRef, createContactsService } from './contacts.service.ts';
export { contactsRoutes } from './contacts.routes.ts';
// Public routes: signed security.txt, RFC 2350, the instance's public key.
export { wellKnownRoutes } from './well-known.routes.ts';
export { registerContactsCommands } from './contacts.cli.ts';

export { type BulkAnswer, type BulkResolver, type NetworkLookupService, createNetworkLookupService } from './network/network.service.ts';
export { networkRoutes } from './network/network.routes.ts';
export { registerNetworkCommands } from './network/network.cli.ts';
export { parseIndicator, refang } from './network/indicator.ts';
export { findTeamOrganisationRow } from './team-identity.service.ts';
