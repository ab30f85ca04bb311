import type { ColumnType, Generated } from 'kysely';
import type { TlpLevel } from '@renkei/contract';

export type ReportChannel = 'web' | 'email' | 'api' | 'feed' | 'iodef' | 'xarf';
export type ReportStatus = 'new' | 'triaged' | 'linked' | 'discarded' | 'closed';
export type IncidentCategoryValue = 'phishing' | 'defacement' | 'malware_site' | 'scan' | 'dos' | 'ics' | 'targeted_attack' | 'other';
export type ObservableKindValue = 'ip' | 'domain' | 'url' | 'email' | 'hash_md5' | 'hash_sha1' | 'hash_sha256' | 'asn';
export type IncidentStatusValue = 'open' | 'in_progress' | 'waiting' | 'resolved' | 'closed' | 'merged';
export type CoordinationRoleValue = 'isp' | 'site_owner' | 'foreign_csirt' | 'registrar' | 'other';
export type CoordinationStateValue = 'drafted' | 'sent' | 'acknowledged' | 'acted' | 'no_response' | 'closed';

/** The last number handed out per (prefix, year): `IR` and `INC` references. Unique, not gap-free. */
export interface IncidentReferenceCountersTable {
  prefix: string;
  year: number;
  value: number;
}

/** Every inbound item exactly as received. Untrusted input: every text column came from outside. */
export interface ReportsTable {
  id: Generated<string>;
  /** `IR-YYYY-NNNNNN`, per-year sequence. */
  reference: string;
  channel: ReportChannel;
  /** new (untriaged) | triaged (looked at, no incident) | linked (in an incident) | discarded (spam, noise) | closed */
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  /** 1 = most urgent … 4 = least; the triage queue sorts by it, then by age. */
  priority: ColumnType<number, number | undefined, number>;
  tlp: ColumnType<TlpLevel, TlpLevel | undefined, TlpLevel>;
  /** The reporter's (or the parser's) category; NULL = not said. */
  category: IncidentCategoryValue | null;
  title: ColumnType<string, string | undefined, string>;
  description: ColumnType<string, string | undefined, string>;
  /** The bytes exactly as received (mail, XML, JSON) in the blob store; NULL = the form's fields are the original. */
  raw_sha256: string | null;
  /** The raw input as text when small enough to keep in the row (the form's body, JSON); NULL = in the blob only. */
  raw_text: string | null;
  content_type: string | null;
  reporter_name: string | null;
  reporter_email: string | null;
  reporter_organisation: string | null;
  /** ja | en; NULL = unknown (answer in English). */
  reporter_language: 'ja' | 'en' | null;
  /** SHA-256 of the reporter's follow-up token; NULL = no token (API, feed, mail). */
  follow_up_token_hash: string | null;
  /** The inbound mail message this report came from; NULL = not by mail. */
  mail_message_id: string | null;
  /** The thread the team answers the reporter in (key = the IR reference); NULL = none yet. */
  mail_thread_id: string | null;
  client_address: string | null;
  /** Observables found beyond the per-report cap and not stored (0 = none dropped). */
  observables_dropped: ColumnType<number, number | undefined, number>;
  /** The user (API token) that filed it; NULL = anonymous form, mail or the system. */
  created_by: string | null;
  received_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ObservablesTable {
  id: Generated<number>;
  report_id: string;
  kind: ObservableKindValue;
  /** Normalised: lower-case punycode domains, canonical IPs, URLs as WHATWG prints them, lower-case hashes, AS numbers in decimal. */
  value: string;
  /** What a person reads: the Unicode form of an IDN (shown beside the punycode `value`). */
  display: string;
  /** As it appeared in the report (possibly defanged). Untrusted input. */
  original: string;
}

export interface IncidentsTable {
  id: Generated<string>;
  /** `INC-YYYY-NNNNNN` */
  reference: string;
  title: string;
  category: IncidentCategoryValue;
  tlp: ColumnType<TlpLevel, TlpLevel | undefined, TlpLevel>;
  priority: ColumnType<number, number | undefined, number>;
  /** merged = folded into `merged_into` (kept, read-only). */
  status: ColumnType<IncidentStatusValue, IncidentStatusValue | undefined, IncidentStatusValue>;
  /** NULL = nobody assigned. */
  assignee_id: string | null;
  /** NULL = no due time. */
  due_at: Date | null;
  /** The incident this one was merged into; NULL = not merged. */
  merged_into: string | null;
  /** Phishing only (NULL elsewhere or unknown): the imitated brand, its sector, domestic (true) or foreign. */
  brand: string | null;
  brand_sector: string | null;
  brand_domestic: boolean | null;
  /** e.g. compromised, dedicated, free_hosting, cloud; NULL = unknown. */
  hosting_type: string | null;
  /** Takedown time = site_down_at − first_reported_at; NULL = not known / still up. */
  first_reported_at: Date | null;
  site_down_at: Date | null;
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** NULL = not closed. */
  closed_at: Date | null;
}

export interface IncidentReportsTable {
  incident_id: string;
  report_id: string;
  /** NULL = the system (a job). */
  linked_by: string | null;
  linked_by_label: string;
  linked_at: ColumnType<Date, Date | undefined, Date>;
  /** When a merge or split moved the report away (the row stays as history); NULL = linked now. */
  unlinked_at: Date | null;
  unlinked_by_label: string | null;
}

export interface CoordinationsTable {
  id: Generated<string>;
  incident_id: string;
  /** The key in the mail subject, e.g. `INC-2026-000045-C1`; replies thread back by it. */
  thread_key: string;
  /** The directory organisation; NULL = a free contact (contact_email then required). */
  organisation_id: string | null;
  contact_name: string | null;
  contact_email: string | null;
  role: CoordinationRoleValue;
  state: ColumnType<CoordinationStateValue, CoordinationStateValue | undefined, CoordinationStateValue>;
  /** ISO country of the party (foreign-host escalation); NULL = unknown. */
  country: string | null;
  language: ColumnType<'ja' | 'en', 'ja' | 'en' | undefined, 'ja' | 'en'>;
  /** NULL = no mail sent yet. */
  mail_thread_id: string | null;
  /** When the reminder job next looks at this party; NULL = no reminder due (drafted, answered, closed). */
  next_reminder_at: Date | null;
  reminders_sent: ColumnType<number, number | undefined, number>;
  /** The coordination this one escalates (the ISP that stayed silent); NULL = first contact. */
  escalated_from: string | null;
  notes: string | null;
  sent_at: Date | null;
  acknowledged_at: Date | null;
  acted_at: Date | null;
  closed_at: Date | null;
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** The timeline: append-only. */
export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: string;
  /** created | report_linked | report_unlinked | updated | note | coordination_created | coordination_state | message_out | message_in | reminder | escalated | merged_into | merged_from | split_to | split_from */
  kind: string;
  /** NULL = the system. */
  actor_id: string | null;
  actor_label: string;
  at: ColumnType<Date, Date | undefined, never>;
  data: ColumnType<Record<string, unknown>, string | undefined, never>;
}

/** The conversation with the reporter on the status page (and by mail). */
export interface ReportMessagesTable {
  id: Generated<number>;
  report_id: string;
  author: 'reporter' | 'team';
  /** The staff member for `team`; NULL = reporter or system. */
  author_id: string | null;
  /** Untrusted input when author = reporter. */
  body: string;
  mail_message_id: string | null;
  at: ColumnType<Date, Date | undefined, never>;
}
