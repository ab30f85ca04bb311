import type { CaseStatus, ContactAttempt, ContactChannel, ContactOutcome, Static, VendorProduct, VendorProposalList } from '@renkei/contract';
import type { CaseDashboard, UnreachableDeveloper } from '@renkei/contract';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Dashboard } from './case-dates.service.ts';
import type { ContactAttemptRow } from './contact-attempts.repository.ts';
import type { VendorProductRow } from './registry.repository.ts';
import type { VendorProposal } from './registry/index.ts';

const iso = (at: Date | string | null): string | null => (at === null ? null : new Date(at).toISOString());

export function presentVendorProduct(row: VendorProductRow, names: ReadonlyMap<string, OrganisationRef>): VendorProduct {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    vendorName: names.get(row.organisation_id)?.name ?? '',
    name: row.name,
    aliases: row.aliases,
    cpes: row.cpes,
    purls: row.purls,
    keywords: row.keywords,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentVendorProposals(proposals: readonly VendorProposal[], skippedEntries: number): VendorProposalList {
  return {
    items: proposals.map((p) => ({
      organisationId: p.organisationId,
      vendorName: p.vendorName,
      score: p.score,
      reasons: p.reasons.map((r) => ({ kind: r.kind, detail: r.detail, productId: r.productId, weight: r.weight })),
    })),
    skippedEntries,
  };
}

export function presentContactAttempt(row: ContactAttemptRow, participantId: string): ContactAttempt {
  return {
    id: Number(row.id),
    participantId,
    organisationId: row.organisation_id,
    channel: row.channel as ContactChannel,
    outcome: row.outcome as ContactOutcome,
    note: row.note,
    mailMessageId: row.mail_message_id,
    recordedBy: row.recorded_by,
    attemptedAt: row.attempted_at.toISOString(),
  };
}

export function presentUnreachableDeveloper(row: {
  participant_id: string;
  case_id: string;
  organisation_id: string;
  vendor_name: string;
  reference: string;
  contact_started_at: Date | null;
  unreachable_at: Date | null;
  announced_at: Date | null;
  publishable_from: Date | null;
  attempts: string | number;
}): Static<typeof UnreachableDeveloper> {
  return {
    caseId: row.case_id,
    caseReference: row.reference,
    participantId: row.participant_id,
    organisationId: row.organisation_id,
    vendorName: row.vendor_name,
    firstContactAt: iso(row.contact_started_at),
    attempts: Number(row.attempts),
    declaredAt: iso(row.unreachable_at)!,
    publishable: row.announced_at !== null,
    announcedAt: iso(row.announced_at),
    earliestPublicationAt: iso(row.publishable_from),
  };
}

export function presentCaseDashboard(dashboard: Dashboard): CaseDashboard {
  return {
    openCases: dashboard.openCases.map((c) => ({
      caseId: c.caseId,
      reference: c.reference,
      title: c.title,
      status: c.status as CaseStatus,
      firstContactAt: iso(c.firstContactAt),
      daysElapsed: c.daysElapsed,
      targetPublicationAt: iso(c.targetPublicationAt),
      daysToTarget: c.daysToTarget,
      pastTarget: c.pastTarget,
    })),
    quarters: dashboard.quarters,
  };
}
