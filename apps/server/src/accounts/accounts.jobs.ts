import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { deleteExpiredSessions } from './accounts.repository.ts';

/** The accounts domain's jobs: expired sessions are purged hourly (UTC). */
export function accountsJobDefinitions(db: Kysely<Schema>): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob('accounts.purge-expired-sessions', async () => ({ deleted: await deleteExpiredSessions(db) }), {
        retryLimit: 2,
        retryDelaySeconds: 60,
        expireInSeconds: 300,
      }),
      cron: '7 * * * *',
    },
  ];
}
