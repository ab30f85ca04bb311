import path from 'node:path';
import { type FetchAllowList, parseFetchAllow } from './kernel/fetch-guard.ts';

/** The running instance's settings. Read once from the environment by `loadConfig`, then passed in. */
export interface Config {
  /** Directory of the embedded PGlite database, the blob store and the lock file. */
  dataDir: string;
  /** A PostgreSQL server's URL; null = the embedded PGlite database in `dataDir`. */
  databaseUrl: string | null;
  host: string;
  port: number;
  /** The address people reach this instance at; used in links and cookies. */
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Set the Secure flag on cookies (true whenever publicUrl is https). */
  secureCookies: boolean;
  /** Create the demo organisation and admin account on an empty database. */
  seedDemo: boolean;
  /** Largest JSON or form body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Largest single blob (attachment, sample) accepted, in bytes. */
  blobLimitBytes: number;
  /** How many in-process job workers `renkei serve` runs; 0 = none (use `renkei worker`). */
  workerConcurrency: number;
  /** Seconds between a job worker's polls while there is nothing to do. */
  jobPollSeconds: number;
  /** Seconds between job maintenance runs: failing (and so retrying) attempts that outlived their limit, e.g. of a killed worker. */
  jobMaintenanceSeconds: number;
  /** Register the test-only job kinds (RENKEI_TEST_JOBS=1): used by the job queue's process tests only. */
  testJobs: boolean;
  /** Directory holding the built web app (apps/web/dist). */
  webDistDir: string;
  sessionTtlHours: number;
  /** Login attempts allowed per client address per minute. */
  loginRateLimitPerMinute: number;
  /** Submissions of each public form allowed per client address per minute. */
  publicFormRateLimitPerMinute: number;
  /** Submissions through the API (reports) per API token, and per organisation, per minute. */
  apiSubmissionsPerTokenPerMinute: number;
  apiSubmissionsPerOrganisationPerMinute: number;
  /** Protects the instance's PGP private key in the database (RENKEI_PGP_PASSPHRASE); null = stored unencrypted. */
  pgpPassphrase: string | null;
  /** The SMTP intake listener `renkei serve` starts (RENKEI_SMTP_HOST, RENKEI_SMTP_PORT). */
  smtpHost: string;
  smtpPort: number;
  /** The address reports are sent to (RENKEI_INTAKE_ADDRESS); its plus-addresses (report+KEY@…) are accepted too. */
  intakeAddress: string;
  /**
   * Mail to this address becomes a vulnerability report, not an incident report
   * (RENKEI_VULNERABILITY_INTAKE_ADDRESS; default the intake's plus-address `<local>+vuln@<domain>`).
   */
  vulnerabilityIntakeAddress: string;
  /** Outbound relay URL, e.g. smtp://127.0.0.1:2526 (RENKEI_SMTP_RELAY); null = sending is off. */
  smtpRelayUrl: string | null;
  /** Largest message the intake accepts, in bytes (RENKEI_MAIL_SIZE_LIMIT); larger ones get 552. */
  mailSizeLimitBytes: number;
  /** Seconds before the first retry of a relay hand-over (RENKEI_MAIL_RETRY_SECONDS, default 30; doubling after). */
  mailRetrySeconds: number;
  /** The longest one relay hand-over may take before its attempt is failed (RENKEI_MAIL_SEND_TIMEOUT_SECONDS, default 300). */
  mailSendTimeoutSeconds: number;
  /**
   * Webhook deliveries: seconds before the first retry (RENKEI_WEBHOOK_RETRY_SECONDS, default 30; doubling
   * after), attempts at most (RENKEI_WEBHOOK_ATTEMPTS, default 8), the longest one attempt may take
   * (RENKEI_WEBHOOK_TIMEOUT_SECONDS, default 10).
   */
  webhook: { retrySeconds: number; attempts: number; timeoutSeconds: number };
  /** Most MIME parts a message may have before it is kept raw only (RENKEI_MAIL_MAX_PARTS). */
  mailMaxParts: number;
  /** Most header bytes across a message's parts before it is kept raw only (RENKEI_MAIL_MAX_HEADER_BYTES). */
  mailMaxHeaderBytes: number;
  /** A mailbox to poll into the intake, imap[s]://user:pass@host:port/INBOX[?starttls=…&tls-insecure=1&move-to=…] (RENKEI_IMAP_URL); null = no poller. */
  imapUrl: string | null;
  /** When to poll it, cron in UTC (RENKEI_IMAP_POLL_CRON, default every minute). */
  imapPollCron: string;
  /** The team's IANA time zone (RENKEI_TEAM_TIME_ZONE, default Asia/Tokyo): statistics count days and months in it. */
  teamTimeZone: string;
  /** First month of the fiscal year, 1–12 (RENKEI_FISCAL_YEAR_START_MONTH, default 4 = April, as in Japan). */
  fiscalYearStartMonth: number;
  /** Days from a vendor's first contact (起算日) to a case's target publication date (RENKEI_CASE_TARGET_DAYS, default 45 as in JVN's process). */
  caseTargetDays: number;
  /** Days of a notified vendor's silence before each reminder (RENKEI_VENDOR_REMINDER_DAYS, default 7), and the most reminders (RENKEI_VENDOR_MAX_REMINDERS, default 3). */
  vendorReminderDays: number;
  vendorMaxReminders: number;
  /**
   * Internal destinations server-side fetches (feed sources, RDAP, security.txt) may reach although
   * loopback, private or link-local (RENKEI_FETCH_ALLOW: comma-separated CIDR blocks, addresses, host
   * names or `*.domain`); empty = every such destination is refused.
   */
  fetchAllow: FetchAllowList;
  /** Public ID prefixes given at publication (RENKEI_PUBLIC_ID_PREFIX_MULTI_PARTY, default JVNVU#; RENKEI_PUBLIC_ID_PREFIX_SINGLE, default JVN#). */
  publicIdPrefixes: { multiParty: string; single: string };
  /** Days from announcing an unreachable developer to the earliest publication without it (RENKEI_UNREACHABLE_WAIT_DAYS, default 90). */
  unreachableWaitDays: number;
}

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/**
 * Reads the environment into a typed Config. The only reader of process.env.
 * @example const config = loadConfig({ RENKEI_PORT: '9000' });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env.RENKEI_PORT, 8080, 'RENKEI_PORT');
  const host = env.RENKEI_HOST ?? '127.0.0.1';
  const publicUrl = (env.RENKEI_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/+$/, '');
  return {
    dataDir: path.resolve(env.RENKEI_DATA_DIR ?? path.join(repoRoot, 'data')),
    databaseUrl: env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL : null,
    host,
    port,
    publicUrl,
    logLevel: logLevel(env.RENKEI_LOG_LEVEL ?? 'info'),
    secureCookies: publicUrl.startsWith('https://'),
    seedDemo: env.RENKEI_SEED_DEMO !== '0',
    bodyLimitBytes: integer(env.RENKEI_BODY_LIMIT, 1024 * 1024, 'RENKEI_BODY_LIMIT'),
    blobLimitBytes: integer(env.RENKEI_BLOB_LIMIT, 64 * 1024 * 1024, 'RENKEI_BLOB_LIMIT'),
    workerConcurrency: integer(env.RENKEI_WORKERS, 2, 'RENKEI_WORKERS'),
    jobPollSeconds: Math.max(1, integer(env.RENKEI_JOB_POLL_SECONDS, 2, 'RENKEI_JOB_POLL_SECONDS')),
    jobMaintenanceSeconds: Math.max(1, integer(env.RENKEI_JOB_MAINTENANCE_SECONDS, 60, 'RENKEI_JOB_MAINTENANCE_SECONDS')),
    testJobs: env.RENKEI_TEST_JOBS === '1',
    webDistDir: path.resolve(env.RENKEI_WEB_DIST ?? path.join(repoRoot, 'apps/web/dist')),
    sessionTtlHours: integer(env.RENKEI_SESSION_TTL_HOURS, 12, 'RENKEI_SESSION_TTL_HOURS'),
    loginRateLimitPerMinute: integer(env.RENKEI_LOGIN_RATE_LIMIT, 10, 'RENKEI_LOGIN_RATE_LIMIT'),
    publicFormRateLimitPerMinute: integer(env.RENKEI_FORM_RATE_LIMIT, 5, 'RENKEI_FORM_RATE_LIMIT'),
    apiSubmissionsPerTokenPerMinute: integer(env.RENKEI_API_SUBMISSIONS_PER_TOKEN, 120, 'RENKEI_API_SUBMISSIONS_PER_TOKEN'),
    apiSubmissionsPerOrganisationPerMinute: integer(env.RENKEI_API_SUBMISSIONS_PER_ORGANISATION, 600, 'RENKEI_API_SUBMISSIONS_PER_ORGANISATION'),
    pgpPassphrase: env.RENKEI_PGP_PASSPHRASE ? env.RENKEI_PGP_PASSPHRASE : null,
    smtpHost: env.RENKEI_SMTP_HOST ?? '127.0.0.1',
    smtpPort: integer(env.RENKEI_SMTP_PORT, 2525, 'RENKEI_SMTP_PORT'),
    intakeAddress: (env.RENKEI_INTAKE_ADDRESS ?? 'report@localhost').trim(),
    vulnerabilityIntakeAddress: (
      env.RENKEI_VULNERABILITY_INTAKE_ADDRESS?.trim() || plusAddress(env.RENKEI_INTAKE_ADDRESS ?? 'report@localhost', 'vuln')
    ).toLowerCase(),
    smtpRelayUrl: env.RENKEI_SMTP_RELAY && env.RENKEI_SMTP_RELAY.trim() !== '' ? env.RENKEI_SMTP_RELAY.trim() : null,
    mailSizeLimitBytes: integer(env.RENKEI_MAIL_SIZE_LIMIT, 25 * 1024 * 1024, 'RENKEI_MAIL_SIZE_LIMIT'),
    mailRetrySeconds: integer(env.RENKEI_MAIL_RETRY_SECONDS, 30, 'RENKEI_MAIL_RETRY_SECONDS'),
    mailSendTimeoutSeconds: Math.max(1, integer(env.RENKEI_MAIL_SEND_TIMEOUT_SECONDS, 300, 'RENKEI_MAIL_SEND_TIMEOUT_SECONDS')),
    webhook: {
      retrySeconds: integer(env.RENKEI_WEBHOOK_RETRY_SECONDS, 30, 'RENKEI_WEBHOOK_RETRY_SECONDS'),
      attempts: Math.min(20, Math.max(1, integer(env.RENKEI_WEBHOOK_ATTEMPTS, 8, 'RENKEI_WEBHOOK_ATTEMPTS'))),
      timeoutSeconds: Math.min(120, Math.max(1, integer(env.RENKEI_WEBHOOK_TIMEOUT_SECONDS, 10, 'RENKEI_WEBHOOK_TIMEOUT_SECONDS'))),
    },
    mailMaxParts: integer(env.RENKEI_MAIL_MAX_PARTS, 500, 'RENKEI_MAIL_MAX_PARTS'),
    mailMaxHeaderBytes: integer(env.RENKEI_MAIL_MAX_HEADER_BYTES, 1024 * 1024, 'RENKEI_MAIL_MAX_HEADER_BYTES'),
    imapUrl: env.RENKEI_IMAP_URL && env.RENKEI_IMAP_URL.trim() !== '' ? env.RENKEI_IMAP_URL.trim() : null,
    imapPollCron: env.RENKEI_IMAP_POLL_CRON?.trim() || '* * * * *',
    teamTimeZone: timeZone(env.RENKEI_TEAM_TIME_ZONE?.trim() || 'Asia/Tokyo'),
    fiscalYearStartMonth: month(env.RENKEI_FISCAL_YEAR_START_MONTH, 4, 'RENKEI_FISCAL_YEAR_START_MONTH'),
    caseTargetDays: integer(env.RENKEI_CASE_TARGET_DAYS, 45, 'RENKEI_CASE_TARGET_DAYS'),
    vendorReminderDays: Math.max(1, integer(env.RENKEI_VENDOR_REMINDER_DAYS, 7, 'RENKEI_VENDOR_REMINDER_DAYS')),
    vendorMaxReminders: integer(env.RENKEI_VENDOR_MAX_REMINDERS, 3, 'RENKEI_VENDOR_MAX_REMINDERS'),
    fetchAllow: fetchAllow(env.RENKEI_FETCH_ALLOW ?? ''),
    publicIdPrefixes: {
      multiParty: env.RENKEI_PUBLIC_ID_PREFIX_MULTI_PARTY?.trim() || 'JVNVU#',
      single: env.RENKEI_PUBLIC_ID_PREFIX_SINGLE?.trim() || 'JVN#',
    },
    unreachableWaitDays: integer(env.RENKEI_UNREACHABLE_WAIT_DAYS, 90, 'RENKEI_UNREACHABLE_WAIT_DAYS'),
  };
}

function integer(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function month(raw: string | undefined, fallback: number, name: string): number {
  const value = integer(raw, fallback, name);
  if (value < 1 || value > 12) throw new Error(`${name} must be a month number 1–12, got "${raw}"`);
  return value;
}

function timeZone(raw: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`RENKEI_TEAM_TIME_ZONE must be an IANA time zone (e.g. Asia/Tokyo), got "${raw.slice(0, 64)}"`);
  }
}

function fetchAllow(raw: string): FetchAllowList {
  try {
    return parseFetchAllow(raw);
  } catch (error) {
    throw new Error(`RENKEI_FETCH_ALLOW: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function logLevel(raw: string): Config['logLevel'] {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const found = levels.find((level) => level === raw);
  if (!found) throw new Error(`RENKEI_LOG_LEVEL must be one of ${levels.join(', ')}, got "${raw}"`);
  return found;
}

/** `local+detail@domain` of an address (`report@x` → `report+vuln@x`). */
function plusAddress(address: string, detail: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? `${trimmed}+${detail}` : `${trimmed.slice(0, at)}+${detail}${trimmed.slice(at)}`;
}
