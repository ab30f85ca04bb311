import type { AdvisoriesTable, AdvisoryPublicationsTable, AdvisoryRevisionsTable } from './advisories.ts';
import type { ApiTokensTable } from './api-tokens.ts';
import type { AuditLogTable } from './audit-log.ts';
import type { BlobsTable } from './blobs.ts';
import type { CaseMailsTable } from './case-mails.ts';
import type {
  FeedEventsTable,
  FeedMappingsTable,
  FeedNotificationsTable,
  FeedRecipientSettingsTable,
  FeedRejectsTable,
  FeedRunsTable,
  FeedSourcesTable,
} from './feeds.ts';
import type {
  CoordinationsTable,
  IncidentEventsTable,
  IncidentReferenceCountersTable,
  IncidentReportsTable,
  IncidentsTable,
  ObservablesTable,
  ReportMessagesTable,
  ReportsTable,
} from './incidents.ts';
import type { MailAddressStatusTable, MailMessagesTable, MailPartsTable, MailThreadsTable } from './mail.ts';
import type { MembershipsTable } from './memberships.ts';
import type { IpdataAsnsTable, IpdataDatasetsTable, IpdataRangesTable, RdapBootstrapTable, RdapCacheTable } from './network-lookup.ts';
import type { OrganisationNetworksTable } from './organisation-networks.ts';
import type { OrganisationsTable } from './organisations.ts';
import type { PeopleTable } from './people.ts';
import type { PgpKeysTable } from './pgp-keys.ts';
import type { PublicFormKeysTable, PublicFormTokensSpentTable, RateLimitCountersTable } from './public-site.ts';
import type { SessionsTable } from './sessions.ts';
import type { UsersTable } from './users.ts';
import type {
  CaseContactAttemptsTable,
  CaseEmbargoDecisionsTable,
  CaseEmbargoesTable,
  CaseEventsTable,
  CaseMessagesTable,
  CaseReadsTable,
  CaseParticipantsTable,
  CaseVulnerabilitiesTable,
  CvePoolTable,
  VendorProductsTable,
  VendorStatusesTable,
  VulnerabilityCasesTable,
  VulnerabilityCountersTable,
  VulnerabilityReportAttachmentsTable,
  VulnerabilityReportsTable,
} from './vulnerabilities.ts';
import type { UnreachableAnnouncementsTable } from './unreachable-announcements.ts';
import type { WebhookDeliveriesTable, WebhookDeliveryAttemptsTable, WebhookEndpointsTable } from './webhooks.ts';

/** Every table Kysely knows, by name. Each domain adds its tables here. */
export interface Schema {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  blobs: BlobsTable;
  people: PeopleTable;
  pgp_keys: PgpKeysTable;
  organisation_networks: OrganisationNetworksTable;
  ipdata_datasets: IpdataDatasetsTable;
  ipdata_ranges: IpdataRangesTable;
  ipdata_asns: IpdataAsnsTable;
  rdap_bootstrap: RdapBootstrapTable;
  rdap_cache: RdapCacheTable;
  mail_threads: MailThreadsTable;
  mail_messages: MailMessagesTable;
  mail_parts: MailPartsTable;
  mail_address_status: MailAddressStatusTable;
  feed_mappings: FeedMappingsTable;
  feed_sources: FeedSourcesTable;
  feed_runs: FeedRunsTable;
  feed_rejects: FeedRejectsTable;
  feed_notifications: FeedNotificationsTable;
  feed_recipient_settings: FeedRecipientSettingsTable;
  feed_events: FeedEventsTable;
  incident_reference_counters: IncidentReferenceCountersTable;
  reports: ReportsTable;
  observables: ObservablesTable;
  incidents: IncidentsTable;
  incident_reports: IncidentReportsTable;
  coordinations: CoordinationsTable;
  incident_events: IncidentEventsTable;
  report_messages: ReportMessagesTable;
  public_form_keys: PublicFormKeysTable;
  vulnerability_counters: VulnerabilityCountersTable;
  vulnerability_reports: VulnerabilityReportsTable;
  vulnerability_report_attachments: VulnerabilityReportAttachmentsTable;
  vulnerability_cases: VulnerabilityCasesTable;
  case_vulnerabilities: CaseVulnerabilitiesTable;
  case_participants: CaseParticipantsTable;
  vendor_statuses: VendorStatusesTable;
  case_contact_attempts: CaseContactAttemptsTable;
  case_embargoes: CaseEmbargoesTable;
  case_embargo_decisions: CaseEmbargoDecisionsTable;
  case_events: CaseEventsTable;
  vendor_products: VendorProductsTable;
  cve_pool: CvePoolTable;
  case_messages: CaseMessagesTable;
  case_reads: CaseReadsTable;
  public_form_tokens_spent: PublicFormTokensSpentTable;
  rate_limit_counters: RateLimitCountersTable;
  advisories: AdvisoriesTable;
  advisory_revisions: AdvisoryRevisionsTable;
  advisory_publications: AdvisoryPublicationsTable;
  unreachable_announcements: UnreachableAnnouncementsTable;
  case_mails: CaseMailsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}
