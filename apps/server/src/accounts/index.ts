// The accounts domain's manifest: users, memberships, sessions, TOTP, API tokens, the team itself.
// The composition root and other domains import accounts only from here.
export { type AccountsService, createAccountsService } from './accounts.service.ts';
export { accountsRoutes } from './accounts.routes.ts';
export { accountsJobDefinitions } from './accounts.jobs.ts';
// CLI and start-up: `renkei team init`, the demo seed of `renkei serve`.
export { initTeam } from './team.ts';
export { seedDemo } from './seed.ts';
