import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { BLOB_TEMPORARY_FILE_MAX_AGE_MS, type BlobStore } from './blob-store.ts';

/** The blob store's jobs: hourly, the temporary files a writer killed mid-upload left behind go. */
export function blobsJobDefinitions(blobs: BlobStore): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob('blobs.sweep-temporary-files', async () => blobs.sweepTemporaryFiles(BLOB_TEMPORARY_FILE_MAX_AGE_MS), {
        retryLimit: 2,
        retryDelaySeconds: 60,
        expireInSeconds: 300,
      }),
      cron: '23 * * * *',
    },
  ];
}
