import { Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { isStaffRole } from '@renkei/contract';
import { type ReactNode, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { useNow } from '../../../hooks/use-now.ts';
import { useMe } from '../../../lib/session.tsx';
import { type CaseDetail, useCase } from '../api/vulnerabilities.ts';
import { isHandler } from '../labels.ts';
import { daysBetween } from '../zoned-time.ts';
import { CaseBackOffice } from './case-back-office.tsx';
import { CaseTimelinePanel } from './case-timeline-panel.tsx';
import { AdvisoryPanel } from './advisory-panel.tsx';
import { CaseStatusBadge, DaysLeft } from './case-badges.tsx';
import { CaseMessagesPanel } from './case-messages-panel.tsx';
import { EmbargoPanel } from './embargo-panel.tsx';
import { ParticipantsPanel } from './participants-panel.tsx';
import { StatusEditor } from './status-editor.tsx';
import { type MatrixCell, StatusMatrix } from './status-matrix.tsx';
import { VulnerabilitiesPanel } from './vulnerabilities-panel.tsx';
import { VendorMailPanel } from './vendor-mail-panel.tsx';

/**
 * A vulnerability case, as the server lets the viewer see it: the team sees every vendor and may change
 * everything; a vendor's user sees its own rows only (the server trims the answer) and answers for them.
 */
export function CasePage({ caseId }: { caseId: string }) {
  const query = useCase(caseId);
  return <QueryView query={query}>{(detail) => <CaseView detail={detail} onRefresh={() => void query.refetch()} refreshing={query.isFetching} />}</QueryView>;
}

function CaseView({ detail, onRefresh, refreshing }: { detail: CaseDetail; onRefresh: () => void; refreshing: boolean }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const isStaff = me.roles.some((role) => isStaffRole(role));
  const asTeam = isStaff && isHandler(me.roles);
  const ownOrganisations = useMemo(() => new Set(me.memberships.map((m) => m.organisationId)), [me.memberships]);
  const title = i18n.language === 'ja' && detail.titleJa ? detail.titleJa : detail.title;
  useDocumentTitle(`${detail.reference} · Renkei`);
  const [editing, setEditing] = useState<MatrixCell | null>(null);
  // A participant answers for its own organisation only; the team for every vendor.
  const canEdit = useCallback((organisationId: string) => asTeam || (!isStaff && ownOrganisations.has(organisationId)), [asTeam, isStaff, ownOrganisations]);

  return (
    <Stack gap="md">
      <CaseHeader detail={detail} title={title} isStaff={isStaff} onRefresh={onRefresh} refreshing={refreshing} />
      <VulnerabilitiesPanel detail={detail} canAdd={asTeam} />
      <Section title={t('vulnerabilities.matrix.title')} description={asTeam || !isStaff ? t('vulnerabilities.matrix.help') : undefined} testId="matrix-panel">
        <StatusMatrix detail={detail} canEdit={canEdit} onEdit={setEditing} />
      </Section>
      {(isStaff || detail.participants.length > 0) && <ParticipantsPanel detail={detail} canManage={asTeam} asParticipant={!isStaff} />}
      <EmbargoPanel detail={detail} asTeam={asTeam} ownOrganisations={ownOrganisations} />
      {asTeam && <CaseBackOffice detail={detail} />}
      {isStaff && <CaseTimelinePanel detail={detail} />}
      <VendorMailPanel detail={detail} />
      <AdvisoryPanel detail={detail} />
      <CaseMessagesPanel detail={detail} />
      {editing && <StatusEditor caseId={detail.id} cell={editing} asTeam={asTeam} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function CaseHeader({
  detail,
  title,
  isStaff,
  onRefresh,
  refreshing,
}: {
  detail: CaseDetail;
  title: string;
  isStaff: boolean;
  onRefresh: () => void;
  refreshing: boolean;
}) {
  const { t } = useTranslation();
  const now = useNow(60_000);
  const starts = detail.participants.flatMap((p) => (p.role === 'vendor' && p.contactStartedAt ? [p.contactStartedAt] : []));
  const firstContact = starts.length > 0 ? starts.reduce((a, b) => (a < b ? a : b)) : null;
  return (
    <Paper withBorder p="lg" radius="md" data-testid="case-header">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="wrap">
            <Text ff="monospace" fw={700} data-testid="case-reference">
              {detail.reference}
            </Text>
            {detail.publicId && (
              <Text ff="monospace" c="dimmed" data-testid="case-public-id">
                {detail.publicId}
              </Text>
            )}
            <CaseStatusBadge status={detail.status} />
            {detail.multiParty && (
              <Text size="sm" c="dimmed">
                {t('vulnerabilities.case.multiParty')}
              </Text>
            )}
          </Group>
          <Button variant="default" size="xs" onClick={onRefresh} loading={refreshing} data-testid="case-refresh">
            {t('vulnerabilities.refresh')}
          </Button>
        </Group>
        <Title order={1} size="h2" style={{ wordBreak: 'break-word' }} data-testid="case-title">
          {title}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="md">
          <Field label={t('vulnerabilities.case.target')}>
            {detail.targetPublicationAt ? (
              <Stack gap={0}>
                <DateTime value={detail.targetPublicationAt} />
                {detail.status !== 'published' && <DaysLeft until={detail.targetPublicationAt} />}
              </Stack>
            ) : (
              '—'
            )}
          </Field>
          <Field label={t('vulnerabilities.case.elapsed')}>
            {firstContact ? (
              <span data-testid="days-elapsed">{t('vulnerabilities.days.elapsed', { count: Math.max(0, daysBetween(firstContact, now)) })}</span>
            ) : (
              t('vulnerabilities.case.noContactYet')
            )}
          </Field>
          <Field label={t('vulnerabilities.case.embargo')}>
            {detail.embargoUntil ? <DateTime value={detail.embargoUntil} /> : t('vulnerabilities.embargo.none')}
          </Field>
          {isStaff ? (
            <Field label={t('vulnerabilities.case.report')}>
              {detail.reportId ? (
                <AnchorLink to="/vulnerability-reports/$reportId" params={{ reportId: detail.reportId }} size="sm">
                  {t('vulnerabilities.case.openReport')}
                </AnchorLink>
              ) : (
                '—'
              )}
            </Field>
          ) : (
            <Field label={t('vulnerabilities.case.trackingId')}>{detail.vendorTrackingId ?? '—'}</Field>
          )}
        </SimpleGrid>
        {detail.summary && (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {detail.summary}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}
