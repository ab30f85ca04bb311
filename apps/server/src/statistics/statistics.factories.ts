import type { Kysely } from 'kysely';
import type { IncidentCategory, TlpLevel } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { ReportStatus } from '../db/schema/incidents.ts';

// Test data factories: rows written straight into the incidents tables (statistics is a read model over
// them), with the timestamps a test needs. Only for tests.

let counter = 0;
const next = () => String(++counter).padStart(6, '0');

/** A report received at `receivedAt`. @example await buildReport(db, { receivedAt: '2026-04-01T00:00:00Z', category: 'phishing' }) */
export async function buildReport(
  db: Kysely<Schema>,
  fields: { receivedAt: string; category?: IncidentCategory | null; tlp?: TlpLevel; status?: ReportStatus; title?: string; description?: string },
): Promise<string> {
  const row = await db
    .insertInto('reports')
    .values({
      reference: `IR-2026-${next()}`,
      channel: 'api',
      status: fields.status ?? 'new',
      tlp: fields.tlp ?? 'amber',
      category: fields.category === undefined ? 'phishing' : fields.category,
      title: fields.title ?? 'Seeded report',
      description: fields.description ?? '',
      raw_sha256: null,
      raw_text: null,
      content_type: null,
      reporter_name: null,
      reporter_email: null,
      reporter_organisation: null,
      reporter_language: null,
      follow_up_token_hash: null,
      mail_message_id: null,
      mail_thread_id: null,
      client_address: null,
      created_by: null,
      received_at: new Date(fields.receivedAt),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface IncidentFields {
  createdAt: string;
  category: IncidentCategory;
  tlp?: TlpLevel;
  title?: string;
  reportIds?: string[];
  mergedInto?: string;
  brand?: string | null;
  brandSector?: string | null;
  brandDomestic?: boolean | null;
  firstReportedAt?: string | null;
  siteDownAt?: string | null;
}

/** An incident created at `createdAt`, linked to the reports. */
export async function buildIncident(db: Kysely<Schema>, fields: IncidentFields): Promise<string> {
  const row = await db
    .insertInto('incidents')
    .values({
      reference: `INC-2026-${next()}`,
      title: fields.title ?? 'Seeded incident',
      category: fields.category,
      tlp: fields.tlp ?? 'amber',
      status: fields.mergedInto ? 'merged' : 'open',
      merged_into: fields.mergedInto ?? null,
      assignee_id: null,
      due_at: null,
      brand: fields.brand ?? null,
      brand_sector: fields.brandSector ?? null,
      brand_domestic: fields.brandDomestic ?? null,
      hosting_type: null,
      first_reported_at: fields.firstReportedAt ? new Date(fields.firstReportedAt) : null,
      site_down_at: fields.siteDownAt ? new Date(fields.siteDownAt) : null,
      created_by: null,
      created_at: new Date(fields.createdAt),
      closed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (fields.reportIds?.length) {
    await db
      .insertInto('incident_reports')
      .values(
        fields.reportIds.map((reportId) => ({
          incident_id: row.id,
          report_id: reportId,
          linked_by: null,
          linked_by_label: 'test',
          unlinked_at: null,
          unlinked_by_label: null,
        })),
      )
      .execute();
  }
  return row.id;
}

/** A coordination of the incident, first sent at `sentAt` (null = a draft never sent). */
export async function buildCoordination(db: Kysely<Schema>, fields: { incidentId: string; sentAt: string | null; createdAt?: string }): Promise<string> {
  const row = await db
    .insertInto('coordinations')
    .values({
      incident_id: fields.incidentId,
      thread_key: `INC-2026-${next()}-C1`,
      organisation_id: null,
      contact_name: null,
      contact_email: 'abuse@isp.example',
      role: 'isp',
      state: fields.sentAt ? 'sent' : 'drafted',
      country: null,
      mail_thread_id: null,
      next_reminder_at: null,
      escalated_from: null,
      notes: null,
      sent_at: fields.sentAt ? new Date(fields.sentAt) : null,
      acknowledged_at: null,
      acted_at: null,
      closed_at: null,
      created_by: null,
      created_at: new Date(fields.createdAt ?? fields.sentAt ?? '2026-01-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
