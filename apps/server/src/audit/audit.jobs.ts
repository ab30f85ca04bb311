import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { checkpointFiles, writeAuditCheckpoint } from './audit-checkpoint.ts';

/**
 * The audit domain's jobs: every 15 minutes (UTC) the chain's head, signed, goes to a file the database
 * cannot rewrite, which `renkei audit verify` checks the log against.
 */
export function auditJobDefinitions(db: Kysely<Schema>, dataDir: string): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob('audit.checkpoint', async () => ({ seq: (await writeAuditCheckpoint(db, checkpointFiles(dataDir)))?.seq ?? null }), {
        retryLimit: 2,
        retryDelaySeconds: 60,
        expireInSeconds: 300,
      }),
      cron: '*/15 * * * *',
    },
  ];
}
