import type { ApiTokensTable } from './api-tokens.ts';
import type { AuditLogTable } from './audit-log.ts';
import type { BlobsTable } from './blobs.ts';
import type { MembershipsTable } from './memberships.ts';
import type { OrganisationsTable } from './organisations.ts';
import type { SessionsTable } from './sessions.ts';
import type { UsersTable } from './users.ts';

/** Every table Kysely knows, by name. Each domain adds its tables here. */
export interface Schema {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  blobs: BlobsTable;
}
