import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { systemContext } from '../policy/actor.ts';
import type { FeedsService } from './feeds.service.ts';

export const FETCH_SOURCE_JOB = 'feeds.fetch-source';
export const FETCH_DUE_JOB = 'feeds.fetch-due-sources';
export const NOTIFY_JOB = 'feeds.send-notifications';
export const ABANDONED_RUNS_JOB = 'feeds.fail-abandoned-runs';

/**
 * The feeds domain's jobs. `feeds.fetch-due-sources` (every 5 min) enqueues `feeds.fetch-source` for
 * each source whose interval has passed (one live job per source, by idempotency key); a fetch
 * downloads into the blob store and ingests. `feeds.send-notifications` (every 5 min) groups pending
 * events per recipient whose interval has passed and queues their mail; re-running it is harmless
 * (events are linked once, a pending notification is delivered once). `feeds.fail-abandoned-runs`
 * (every 10 min) fails the runs whose process died mid-way and removes their events, which were never
 * notified (only completed runs' events are).
 */
export function feedsJobDefinitions(
  feeds: FeedsService,
  enqueueFetch: (sourceId: string) => Promise<unknown>,
): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob(FETCH_SOURCE_JOB, async ({ sourceId }, context) => feeds.fetchSource(sourceId, context.signal), {
        retryLimit: 3,
        retryDelaySeconds: 120,
        backoff: true,
        expireInSeconds: 3600,
      }),
    },
    {
      definition: defineJob(
        FETCH_DUE_JOB,
        async () => {
          const due = await feeds.dueSources();
          for (const id of due) await enqueueFetch(id);
          return { enqueued: due.length };
        },
        { retryLimit: 1, retryDelaySeconds: 60, expireInSeconds: 300 },
      ),
      cron: '*/5 * * * *',
    },
    {
      definition: defineJob(
        NOTIFY_JOB,
        async ({ force }) => {
          const { notifications } = await feeds.notifyDue(systemContext('feeds.send-notifications'), { force: force ?? false });
          return { notifications: notifications.length };
        },
        { retryLimit: 2, retryDelaySeconds: 60, expireInSeconds: 1800 },
      ),
      cron: '*/5 * * * *',
    },
    {
      definition: defineJob(
        ABANDONED_RUNS_JOB,
        async () => {
          const failed = await feeds.failAbandonedRuns(systemContext('feeds.fail-abandoned-runs'));
          return { runs: failed.length, eventsRemoved: failed.reduce((sum, run) => sum + run.eventsRemoved, 0) };
        },
        { retryLimit: 1, retryDelaySeconds: 60, expireInSeconds: 600 },
      ),
      cron: '*/10 * * * *',
    },
  ];
}
