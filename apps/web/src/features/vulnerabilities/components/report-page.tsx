import { Alert, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { useMe } from '../../../lib/session.tsx';
import { type VulnerabilityReportDetail, useVulnerabilityReport } from '../api/vulnerabilities.ts';
import { isHandler } from '../labels.ts';
import { ReportDecision } from './report-decision.tsx';

/** A finder's vulnerability report: what was found, by whom, how they want credit, who forwarded it; accept or decline. */
export function VulnerabilityReportPage({ reportId }: { reportId: string }) {
  const query = useVulnerabilityReport(reportId);
  return <QueryView query={query}>{(report) => <ReportView report={report} />}</QueryView>;
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-word' }} data-testid={testId}>
        {children}
      </Text>
    </div>
  );
}

function LongText({ title, text, testId }: { title: string; text: string; testId: string }) {
  if (text.trim() === '') return null;
  return (
    <Section title={title} testId={testId}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {text}
      </Text>
    </Section>
  );
}

function ReportView({ report }: { report: VulnerabilityReportDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  useDocumentTitle(`${report.reference} · Renkei`);
  const yesNo = (value: boolean | null) => (value === null ? '—' : value ? t('vulnerabilities.yes') : t('vulnerabilities.no'));
  const credit = report.credit;
  return (
    <Stack gap="md">
      <Paper withBorder p="lg" radius="md">
        <Stack gap="sm">
          <Group gap="sm">
            <Text ff="monospace" fw={700} data-testid="vreport-reference">
              {report.reference}
            </Text>
            <Badge variant="light" data-testid="vreport-status">
              {t(`vulnerabilities.reportStatus.${report.status}`)}
            </Badge>
            <Badge variant="outline">{t(`vulnerabilities.channel.${report.channel}`)}</Badge>
          </Group>
          <Title order={1} size="h2" style={{ wordBreak: 'break-word' }} data-testid="vreport-title">
            {report.title}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="md">
            <Field label={t('vulnerabilities.reports.product')}>
              {report.productName}
              {report.productVersion ? ` ${report.productVersion}` : ''}
            </Field>
            <Field label={t('vulnerabilities.report.developer')}>{report.developerName ?? '—'}</Field>
            <Field label={t('vulnerabilities.report.type')}>{report.vulnerabilityType ?? '—'}</Field>
            <Field label={t('vulnerabilities.reports.received')}>
              <DateTime value={report.receivedAt} />
            </Field>
            <Field label={t('vulnerabilities.report.discoveredOn')}>{report.discoveredOn ?? '—'}</Field>
            <Field label={t('vulnerabilities.report.developerContacted')}>{yesNo(report.developerContacted)}</Field>
          </SimpleGrid>
          {report.status === 'new' && isHandler(me.roles) && <ReportDecision report={report} />}
          {report.status === 'accepted' && report.caseId && (
            <Alert color="green" variant="light" data-testid="vreport-accepted">
              {t('vulnerabilities.report.acceptedAs')}{' '}
              <AnchorLink to="/cases/$caseId" params={{ caseId: report.caseId }} ff="monospace" data-testid="vreport-case-link">
                {report.caseReference}
              </AnchorLink>
              {report.decidedAt && (
                <>
                  {' '}
                  (<DateTime value={report.decidedAt} />)
                </>
              )}
            </Alert>
          )}
          {report.status === 'declined' && (
            <Alert color="gray" variant="light" title={t('vulnerabilities.report.declinedTitle')} data-testid="vreport-declined">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {report.declineReason ?? '—'}
              </Text>
            </Alert>
          )}
        </Stack>
      </Paper>
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Section title={t('vulnerabilities.report.finder')} testId="vreport-finder">
          <Field label={t('vulnerabilities.report.name')}>{report.finder.name ?? '—'}</Field>
          <Field label={t('vulnerabilities.report.email')}>{report.finder.email ?? '—'}</Field>
          <Field label={t('vulnerabilities.report.language')}>{report.finder.language ? t(`language.${report.finder.language}`) : '—'}</Field>
          <Field label={t('vulnerabilities.report.pgpKey')}>{yesNo(report.finder.hasPgpKey)}</Field>
        </Section>
        <Section title={t('vulnerabilities.report.credit')} testId="vreport-credit">
          {credit.anonymous ? (
            <Badge color="gray">{t('vulnerabilities.report.anonymous')}</Badge>
          ) : (
            <>
              <Field label={t('vulnerabilities.report.name')}>{credit.name ?? '—'}</Field>
              <Field label={t('vulnerabilities.report.organisation')}>{credit.organisation ?? '—'}</Field>
            </>
          )}
        </Section>
        <Section title={t('vulnerabilities.report.forwardedBy')} testId="vreport-forwarded">
          {report.forwardedBy ? (
            <>
              <Field label={t('vulnerabilities.report.organisation')}>{report.forwardedBy.name}</Field>
              <Field label={t('vulnerabilities.report.partnerReference')}>{report.forwardedBy.reference ?? '—'}</Field>
            </>
          ) : (
            <Text size="sm" c="dimmed">
              {t('vulnerabilities.report.direct')}
            </Text>
          )}
        </Section>
      </SimpleGrid>
      <LongText title={t('vulnerabilities.report.description')} text={report.description} testId="vreport-description" />
      <LongText title={t('vulnerabilities.report.reproduction')} text={report.reproduction} testId="vreport-reproduction" />
      <LongText title={t('vulnerabilities.report.disclosurePlans')} text={report.disclosurePlans} testId="vreport-plans" />
    </Stack>
  );
}
