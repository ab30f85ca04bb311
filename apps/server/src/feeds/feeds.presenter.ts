import type { FeedEvent, FeedMapping, FeedNotification, FeedRun, FeedSource } from '@renkei/contract';
import type { EventRow, MappingRow, NotificationRow, RunSummaryRow, SourceRow } from './feeds.repository.ts';

// The feeds domain's one presenter: the repositories' rows as the contract's output types.

export function presentEvent(r: EventRow): FeedEvent {
  return {
    id: Number(r.id),
    runId: r.run_id,
    source: r.source,
    reportType: r.report_type,
    taxonomy: r.taxonomy,
    type: r.type,
    observedAt: r.observed_at.toISOString(),
    ip: r.ip,
    port: r.port,
    protocol: r.protocol,
    hostname: r.hostname,
    tag: r.tag,
    asn: r.asn === null ? null : Number(r.asn),
    country: r.country,
    organisationId: r.organisation_id,
    recipient: r.recipient,
    tlp: r.tlp,
    line: r.line,
    extra: r.extra,
    notificationId: r.notification_id,
    withheld: r.withheld,
  };
}

export function presentRun(r: RunSummaryRow): FeedRun {
  return {
    id: r.id,
    origin: r.origin,
    format: r.format,
    mappingName: r.mappingName,
    originalSha256: r.originalSha256,
    state: r.state,
    error: r.error,
    rowsRead: r.rowsRead,
    eventsStored: r.eventsStored,
    duplicates: r.duplicates,
    rejected: r.rejected,
    bytesRead: r.bytesRead,
    seconds: r.seconds,
    eventsPerSecond: r.seconds > 0 ? Math.round(r.rowsRead / r.seconds) : 0,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  };
}

export function presentNotification(r: NotificationRow): FeedNotification {
  return {
    id: r.id,
    key: r.key,
    organisationId: r.organisation_id,
    recipient: r.recipient,
    format: r.format,
    language: r.language,
    tlpCeiling: r.tlp_ceiling,
    tlp: r.tlp,
    eventCount: r.event_count,
    withheldCount: r.withheld_count,
    state: r.state,
    error: r.error,
    attachmentSha256: r.attachment_sha256,
    mailMessageId: r.mail_message_id,
    threadId: r.thread_id,
    createdAt: r.created_at.toISOString(),
    queuedAt: r.queued_at ? r.queued_at.toISOString() : null,
  };
}

export function presentMapping(r: MappingRow): FeedMapping {
  return {
    id: r.id,
    name: r.name,
    columns: r.columns,
    taxonomy: r.taxonomy,
    type: r.type,
    tlp: r.tlp,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function presentSource(r: SourceRow): FeedSource {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    format: r.format,
    mappingId: r.mapping_id,
    reportType: r.report_type,
    tlp: r.tlp,
    intervalMinutes: r.interval_minutes,
    enabled: r.enabled,
    lastFetchedAt: r.last_fetched_at ? r.last_fetched_at.toISOString() : null,
    lastStatus: r.last_status,
  };
}
