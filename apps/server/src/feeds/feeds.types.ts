import type { Kysely } from 'kysely';
import type { FeedRun, TlpLevel } from '@renkei/contract';
import type { BlobStore } from '../blobs/index.ts';
import type { NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';
import type { FetchGuard } from '../kernel/fetch-guard.ts';
import type { MailService } from '../mail/index.ts';
import type { CsvLimits } from './csv-reader.ts';
import type { IngestProgress } from './ingest.ts';

export interface IngestRequest {
  format: 'shadowserver' | 'csv';
  /** Required for csv: a saved mapping's name. */
  mapping?: string | undefined;
  /** Shadowserver: the report type when the file name and columns do not say. */
  reportType?: string | undefined;
  tlp?: TlpLevel | undefined;
  onProgress?: ((progress: IngestProgress & { totalBytes: number }) => void) | undefined;
}

export interface IngestSummary extends FeedRun {
  /** True when the original file was larger than the blob limit and is not kept. */
  originalNotKept: boolean;
}

export interface FeedsServiceOptions {
  /** Largest feed file fetched from a URL (and kept as the original). */
  maxFetchBytes: number;
  fetchTimeoutMs: number;
  /** Where source URLs may point: internal addresses are refused unless the operator allowed them. */
  fetchGuard: FetchGuard;
  /** Events in one notification at most; the rest wait for the next. */
  maxEventsPerNotification: number;
  csvLimits?: Partial<CsvLimits>;
  batchSize?: number;
}

/** What the feeds service is built from; every capability module takes the same. */
export interface FeedsDeps {
  db: Kysely<Schema>;
  blobs: BlobStore;
  network: NetworkLookupService;
  mail: () => MailService;
  /** The team's own name and contact address (the directory's team identity), named in every notification. */
  team: () => Promise<{ name: string; contactEmail: string | null }>;
  engine: 'pglite' | 'postgresql';
  blobLimitBytes: number;
}

export class FeedFormatError extends AppError {
  constructor(message: string) {
    super(400, 'feed_unreadable', message);
  }
}
