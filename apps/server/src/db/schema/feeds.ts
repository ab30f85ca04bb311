import type { ColumnType, Generated } from 'kysely';

export interface FeedMappingsTable {
  id: Generated<string>;
  name: string;
  /** { column header (lower case): event field }; write as JSON text. */
  columns: ColumnType<Record<string, string>, string, string>;
  /** RSIT predicate given to every row (a mapped report_type column classifies per row instead). */
  taxonomy: string;
  type: string;
  /** clear | green | amber | amber+strict | red */
  tlp: Generated<string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface FeedSourcesTable {
  id: Generated<string>;
  name: string;
  url: string;
  /** shadowserver | csv */
  format: string;
  /** NULL for shadowserver; required for csv. */
  mapping_id: string | null;
  /** NULL = from the file name or a column. */
  report_type: string | null;
  tlp: Generated<string>;
  interval_minutes: Generated<number>;
  enabled: Generated<boolean>;
  /** NULL = never fetched. */
  last_fetched_at: Date | null;
  /** NULL = never fetched; 'ok' or the error. */
  last_status: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface FeedRunsTable {
  id: Generated<string>;
  origin: string;
  /** NULL = a file given by hand. */
  source_id: string | null;
  format: string;
  mapping_name: string | null;
  /** NULL = larger than the blob limit, not kept. */
  original_sha256: string | null;
  /** running | completed | failed */
  state: string;
  error: string | null;
  rows_read: Generated<number>;
  events_stored: Generated<number>;
  duplicates: Generated<number>;
  rejected: Generated<number>;
  bytes_read: Generated<number>;
  seconds: Generated<number>;
  started_by: string;
  started_at: ColumnType<Date, never, never>;
  /** NULL while running. */
  finished_at: Date | null;
  /** Touched by the running process as it stores batches; a running run silent for long was abandoned (its process killed). */
  heartbeat_at: ColumnType<Date, Date | undefined, Date>;
}

export interface FeedRejectsTable {
  run_id: string;
  line: number;
  reason: string;
  raw: Buffer;
}

export interface FeedNotificationsTable {
  id: Generated<string>;
  /** FN-<year>-<6 digits> */
  key: string;
  organisation_id: string | null;
  recipient: string;
  /** csv | xarf */
  format: string;
  /** en | ja */
  language: string;
  tlp_ceiling: string;
  /** Highest TLP among the events sent; NULL = nothing sent. */
  tlp: string | null;
  event_count: Generated<number>;
  withheld_count: Generated<number>;
  /** pending | queued | withheld | failed */
  state: string;
  error: string | null;
  attachment_sha256: string | null;
  mail_message_id: string | null;
  thread_id: string | null;
  created_at: ColumnType<Date, never, never>;
  queued_at: Date | null;
}

export interface FeedRecipientSettingsTable {
  organisation_id: string;
  interval_minutes: Generated<number>;
  /** NULL = the organisation's preferred_format. */
  format: string | null;
  paused: Generated<boolean>;
}

/** Written only in bulk (feeds.repository insertEvents); read by the API and notifications. */
export interface FeedEventsTable {
  id: ColumnType<number, never, never>;
  fingerprint: string;
  run_id: string;
  source: string;
  report_type: string;
  taxonomy: string;
  type: string;
  observed_at: Date;
  /** inet as text */
  ip: string;
  port: number | null;
  protocol: string | null;
  hostname: string | null;
  tag: string | null;
  asn: number | null;
  country: string | null;
  /** NULL = not in the directory. */
  organisation_id: string | null;
  /** NULL = nobody to notify. */
  recipient: string | null;
  tlp: string;
  line: number;
  extra: ColumnType<Record<string, string> | null, string | null, string | null>;
  /** NULL = not yet notified. */
  notification_id: string | null;
  /** TRUE = kept out of its notification by the recipient's TLP ceiling. */
  withheld: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
}
