import type {
  CaseDetail,
  CaseStatus,
  CaseSummary,
  Embargo,
  EmbargoDecision,
  EmbargoState,
  ParticipantRole,
  VendorStatus,
  VendorStatusRow,
  VexJustification,
  VulnerabilityReportChannel,
  VulnerabilityReportDetail,
  VulnerabilityReportStatus,
  VulnerabilityReportSummary,
} from '@renkei/contract';
import type { OrganisationRef } from '../contacts/index.ts';
import type { CaseListRow, CaseRow, CaseVulnerabilityRow, EmbargoRow, ParticipantRow, StatusRow } from './cases.repository.ts';
import type { CaseViewer } from './cases.service.ts';
import type { ReportListRow } from './reports.repository.ts';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);
const score = (value: string | null): number | null => (value === null ? null : Number(value));

export function presentReportSummary(r: ReportListRow): VulnerabilityReportSummary {
  return {
    id: r.id,
    reference: r.reference,
    channel: r.channel as VulnerabilityReportChannel,
    status: r.status as VulnerabilityReportStatus,
    productName: r.product_name,
    developerName: r.developer_name,
    title: r.title || r.product_name,
    receivedAt: r.received_at.toISOString(),
    caseId: r.case_id,
    caseReference: r.case_reference,
  };
}

export function presentReportDetail(r: ReportListRow, forwardedBy: OrganisationRef | null): VulnerabilityReportDetail {
  return {
    ...presentReportSummary(r),
    productVersion: r.product_version,
    vulnerabilityType: r.vulnerability_type,
    description: r.description,
    reproduction: r.reproduction,
    discoveredOn: r.discovered_on,
    developerContacted: r.developer_contacted,
    disclosurePlans: r.disclosure_plans,
    credit: { name: r.credit_name, organisation: r.credit_organisation, anonymous: r.credit_anonymous },
    finder: { name: r.finder_name, email: r.finder_email, language: r.finder_language as 'ja' | 'en' | null, hasPgpKey: r.finder_pgp_key !== null },
    forwardedBy: forwardedBy ? { organisationId: forwardedBy.id, name: forwardedBy.name, reference: r.partner_reference } : null,
    declineReason: r.decline_reason,
    decidedAt: iso(r.decided_at),
  };
}

function caseBase(c: CaseRow) {
  return {
    id: c.id,
    reference: c.reference,
    publicId: c.public_id,
    title: c.title,
    titleJa: c.title_ja,
    status: c.status as CaseStatus,
    targetPublicationAt: iso(c.target_publication_at),
    createdAt: c.created_at.toISOString(),
    modifiedAt: c.modified_at.toISOString(),
  };
}

/** A row of the case list; a participant also gets its own tracking ID. */
export function presentCaseSummary(c: CaseListRow, forParticipant: boolean): CaseSummary {
  return {
    ...caseBase(c),
    // A vendor learns nothing of how many others are on the case.
    vendorCount: forParticipant ? 0 : c.vendor_count,
    vulnerabilityCount: c.vulnerability_count,
    embargoUntil: iso(c.embargo_until),
    ...(forParticipant ? { vendorTrackingId: c.tracking_id } : {}),
  };
}

function presentVulnerability(v: CaseVulnerabilityRow) {
  return {
    id: v.id,
    title: v.title,
    titleJa: v.title_ja,
    description: v.description,
    cweId: v.cwe_id,
    cveId: v.cve_id,
    cvss31Vector: v.cvss31_vector,
    cvss31Score: score(v.cvss31_score),
    cvss40Vector: v.cvss40_vector,
    cvss40Score: score(v.cvss40_score),
    modifiedAt: v.modified_at.toISOString(),
  };
}

function presentStatus(s: StatusRow): VendorStatusRow {
  return {
    vulnerabilityId: s.vulnerability_id,
    organisationId: s.organisation_id,
    productName: s.product_name,
    status: s.status as VendorStatus,
    justification: s.justification as VexJustification | null,
    fixedVersions: s.fixed_versions,
    statement: s.statement,
    statementJa: s.statement_ja,
    references: s.references,
    setBy: s.set_by,
    setAt: iso(s.set_at),
  };
}

interface CaseView {
  row: CaseRow;
  viewer: CaseViewer;
  vulnerabilities: CaseVulnerabilityRow[];
  participants: ParticipantRow[];
  statuses: StatusRow[];
  embargoes: EmbargoRow[];
  decisions: { embargo_id: string; participant_id: string; decision: string; decided_at: Date }[];
  names: Map<string, OrganisationRef>;
}

/**
 * The case page. The team sees every participant and status; a partner coordinator too; a vendor only its
 * own participant row, its own statuses and its own embargo decisions: no other vendor's name, status or
 * count reaches it.
 */
export function presentCaseDetail(view: CaseView): CaseDetail {
  const { row, viewer, names } = view;
  const ownIds = viewer.kind === 'participant' ? new Set(viewer.own.map((p) => p.id)) : null;
  const ownOrganisations = viewer.kind === 'participant' ? new Set(viewer.own.flatMap((p) => (p.organisation_id ? [p.organisation_id] : []))) : null;
  const seesAll = viewer.kind === 'team' || viewer.seesAllVendors;
  const participants = seesAll ? view.participants : view.participants.filter((p) => ownIds!.has(p.id));
  const statuses = seesAll ? view.statuses : view.statuses.filter((s) => ownOrganisations!.has(s.organisation_id));
  const nameOf = (p: ParticipantRow) => (p.organisation_id ? (names.get(p.organisation_id)?.name ?? '') : p.role);
  const participantName = new Map(view.participants.map((p) => [p.id, { organisationId: p.organisation_id, name: nameOf(p) }]));
  const embargoes: Embargo[] = view.embargoes.map((e) => ({
    id: e.id,
    releaseAt: e.release_at.toISOString(),
    state: e.state as EmbargoState,
    reason: e.reason,
    proposedBy: e.proposed_by_organisation ? (seesAll ? (names.get(e.proposed_by_organisation)?.name ?? '') : 'participant') : 'team',
    proposedAt: e.proposed_at.toISOString(),
    decisions: view.decisions
      .filter((d) => d.embargo_id === e.id && (seesAll || ownIds!.has(d.participant_id)))
      .map((d) => ({ ...participantName.get(d.participant_id)!, decision: d.decision as EmbargoDecision, at: d.decided_at.toISOString() })),
  }));
  const agreed = view.embargoes.find((e) => e.state === 'agreed');
  return {
    ...caseBase(row),
    vendorCount: seesAll ? view.participants.filter((p) => p.role === 'vendor').length : 0,
    vulnerabilityCount: view.vulnerabilities.length,
    embargoUntil: iso(agreed?.release_at ?? null),
    ...(viewer.kind === 'participant' ? { vendorTrackingId: viewer.own[0]?.tracking_id ?? null } : {}),
    summary: row.summary,
    multiParty: row.multi_party,
    reportId: viewer.kind === 'team' ? row.report_id : null,
    vulnerabilities: view.vulnerabilities.map(presentVulnerability),
    participants: participants.map((p) => ({
      id: p.id,
      role: p.role as ParticipantRole,
      organisationId: p.organisation_id,
      name: nameOf(p),
      contactStartedAt: iso(p.contact_started_at),
      sharedAt: iso(p.shared_at),
      unreachableAt: iso(p.unreachable_at),
      trackingId: p.tracking_id,
    })),
    statuses: statuses.map(presentStatus),
    embargoes,
  };
}
