import { Badge, Button, Group, Loader, Paper, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDocumentTitle } from '@mantine/hooks';
import { useNavigate } from '@tanstack/react-router';
import { INCIDENT_CATEGORIES, type IncidentCategory, type LookupAnswer } from '@renkei/contract';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import {
  type Proposal,
  type ReportDetail,
  useCreateIncident,
  useLinkReports,
  useProposals,
  useReplyToReporter,
  useReport,
  useUpdateReport,
} from '../api/incidents.ts';
import { PriorityBadge, TlpBadge } from './badges.tsx';
import { proposedParties } from '../parties.ts';
import { LookupAnswers } from './lookup-answers.tsx';

const pre = { whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)' } as const;

/** One report as triage sees it: the text as received, its observables, the lookup, proposals and parties. */
export function ReportPage({ reportId }: { reportId: string }) {
  const { t } = useTranslation();
  const report = useReport(reportId);
  useDocumentTitle(`${report.data?.reference ?? t('incidents.report.title')} · Renkei`);
  return <QueryView query={report}>{(loaded) => <ReportView key={reportId} report={loaded} />}</QueryView>;
}

function ReportView({ report }: { report: ReportDetail }) {
  const { t } = useTranslation();
  const proposals = useProposals(report.id);
  const lookup = report.lookup as LookupAnswer[];
  const parties = proposedParties(lookup);

  return (
    <Stack gap="md" maw={1200} data-testid="report-page">
      <AnchorLink to="/incidents/triage" size="sm">
        ← {t('incidents.triage.title')}
      </AnchorLink>
      <div>
        <Text ff="monospace" c="dimmed" size="sm" data-testid="report-reference">
          {report.reference}
        </Text>
        <Title order={1} size="h2" style={{ wordBreak: 'break-word' }} data-testid="report-title">
          {report.title}
        </Title>
      </div>
      <Group gap="xs">
        <Badge variant="light" data-testid="report-status" data-status={report.status}>
          {t(`incidents.reportStatus.${report.status}`)}
        </Badge>
        <PriorityBadge priority={report.priority} />
        <TlpBadge tlp={report.tlp} />
        {report.category && <Badge variant="outline">{t(`incidents.category.${report.category}`)}</Badge>}
        <Badge variant="outline" color="gray">
          {t(`incidents.channel.${report.channel}`)}
        </Badge>
        <Text size="sm" c="dimmed">
          <DateTime value={report.receivedAt} />
        </Text>
      </Group>
      {proposals.error !== null && <ErrorAlert error={proposals.error} onRetry={() => void proposals.refetch()} />}

      <Section title={t('incidents.report.reporter')}>
        <Text size="sm" data-testid="report-reporter">
          {[report.reporterName, report.reporterEmail, report.reporterOrganisation].filter(Boolean).join(' · ') || '—'}
          {report.reporterLanguage && ` (${report.reporterLanguage})`}
        </Text>
      </Section>

      <Section title={t('incidents.report.description')}>
        <Text component="pre" size="sm" style={pre} data-testid="report-description">
          {report.description || '—'}
        </Text>
      </Section>

      <Section title={t('incidents.report.observables', { count: report.observables.length })}>
        {report.observablesDropped > 0 && (
          <Text size="sm" c="orange">
            {t('incidents.report.observablesDropped', { count: report.observablesDropped })}
          </Text>
        )}
        {report.observables.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          <Table striped data-testid="observables">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('incidents.report.kind')}</Table.Th>
                <Table.Th>{t('incidents.report.value')}</Table.Th>
                <Table.Th>{t('incidents.report.asReported')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.observables.map((o) => (
                <Table.Tr key={o.id} data-testid="observable-row" data-kind={o.kind}>
                  <Table.Td>
                    <Badge variant="light" size="sm">
                      {t(`incidents.observableKind.${o.kind}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="observable-display">
                      {o.display}
                    </Text>
                    {o.display !== o.value && (
                      // An IDN: the punycode beside the display form, so a homograph shows itself.
                      <Text size="xs" c="orange" ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="observable-value">
                        {o.value}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {o.original !== o.value && o.original !== o.display ? o.original : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>

      <Section title={t('incidents.report.lookup')}>
        <LookupAnswers answers={lookup} />
      </Section>

      <Section title={t('incidents.report.parties')}>
        {parties.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('incidents.report.noParties')}
          </Text>
        ) : (
          <Stack gap={4}>
            {parties.map((party, i) => (
              <Group key={i} gap="xs" data-testid="proposed-party" data-role={party.role}>
                <Badge variant="light">{t(`incidents.role.${party.role}`)}</Badge>
                <Text size="sm" fw={500}>
                  {party.name ?? '—'}
                </Text>
                <Text size="sm">{party.email ?? t('incidents.report.noAddress')}</Text>
                {party.country && <Badge variant="outline">{party.country}</Badge>}
                <Text size="xs" c="dimmed">
                  {t('incidents.report.forHost', { host: party.host })} · {party.source}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </Section>

      <Triage report={report} proposals={proposals.data ?? null} />

      <Messages report={report} />

      {report.rawText && (
        <Section title={t('incidents.report.raw')}>
          <Text component="pre" size="xs" style={{ ...pre, maxHeight: 300, overflow: 'auto' }} data-testid="report-raw">
            {report.rawText}
          </Text>
        </Section>
      )}
    </Stack>
  );
}

function Triage({ report, proposals }: { report: ReportDetail; proposals: Proposal[] | null }) {
  const { t } = useTranslation();
  const [category, setCategory] = useState<IncidentCategory>(report.category ?? 'other');
  const navigate = useNavigate();
  const openIncident = (incident: { id: string }) => void navigate({ to: '/incidents/$incidentId', params: { incidentId: incident.id } });
  const link = useLinkReports();
  const create = useCreateIncident();
  const update = useUpdateReport(report.id);
  const error = link.error ?? create.error ?? update.error;
  const clearError = () => {
    link.reset();
    create.reset();
    update.reset();
  };
  const linkedIds = new Set(report.incidents.map((i) => i.id));

  return (
    <Section title={t('incidents.report.triage')}>
      {error !== null && <ErrorAlert error={error} onClose={clearError} />}
      {report.incidents.length > 0 && (
        <Group gap="xs" data-testid="report-incidents">
          <Text size="sm">{t('incidents.report.linkedTo')}</Text>
          {report.incidents.map((incident) => (
            <AnchorLink
              key={incident.id}
              to="/incidents/$incidentId"
              params={{ incidentId: incident.id }}
              size="sm"
              ff="monospace"
              data-testid="report-incident-link"
            >
              {incident.reference}
            </AnchorLink>
          ))}
        </Group>
      )}
      <Text size="sm" fw={500}>
        {t('incidents.report.proposals')}
      </Text>
      {proposals === null ? (
        <Loader size="xs" />
      ) : proposals.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="no-proposals">
          {t('incidents.report.noProposals')}
        </Text>
      ) : (
        proposals.map((proposal) => (
          <Group key={proposal.incident.id} gap="xs" data-testid="proposal">
            <AnchorLink to="/incidents/$incidentId" params={{ incidentId: proposal.incident.id }} ff="monospace" size="sm">
              {proposal.incident.reference}
            </AnchorLink>
            <Text size="sm">{proposal.incident.title}</Text>
            <Text size="xs" c="dimmed">
              {t('incidents.report.matched', { items: proposal.matched.map((m) => m.value).join(', ') })}
            </Text>
            {!linkedIds.has(proposal.incident.id) && (
              <Button
                size="xs"
                variant="light"
                onClick={() => link.mutate({ incidentId: proposal.incident.id, reportIds: [report.id] }, { onSuccess: openIncident })}
                data-testid="proposal-link"
              >
                {t('incidents.report.linkHere')}
              </Button>
            )}
          </Group>
        ))
      )}
      <Group align="flex-end" gap="xs">
        <Select
          label={t('incidents.fields.category')}
          data={INCIDENT_CATEGORIES.map((value) => ({ value, label: t(`incidents.category.${value}`) }))}
          value={category}
          onChange={(value) => value && setCategory(value as IncidentCategory)}
          allowDeselect={false}
          data-testid="new-incident-category"
        />
        <Button
          onClick={() => create.mutate({ reportIds: [report.id], category }, { onSuccess: openIncident })}
          loading={create.isPending}
          data-testid="create-incident"
        >
          {t('incidents.report.createIncident')}
        </Button>
        {report.status === 'new' && (
          <Button variant="default" onClick={() => update.mutate({ status: 'triaged' })} data-testid="report-mark-triaged">
            {t('incidents.report.markTriaged')}
          </Button>
        )}
        {report.status !== 'discarded' && (
          <Button variant="subtle" color="red" onClick={() => update.mutate({ status: 'discarded' })} data-testid="report-discard">
            {t('incidents.report.discard')}
          </Button>
        )}
      </Group>
    </Section>
  );
}

function Messages({ report }: { report: ReportDetail }) {
  const { t } = useTranslation();
  const form = useForm({ mode: 'controlled', initialValues: { body: '' } });
  const reply = useReplyToReporter(report.id);
  const submit = ({ body }: { body: string }) => {
    if (!body.trim()) return;
    reply.mutate(body, { onSuccess: () => form.reset() });
  };
  return (
    <Section title={t('incidents.report.messages')}>
      {report.messages.map((m) => (
        <Paper key={m.id} withBorder p="xs" data-testid="report-message" data-author={m.author}>
          <Text size="xs" c="dimmed">
            {t(`incidents.report.author.${m.author}`)} · <DateTime value={m.at} />
          </Text>
          <Text component="pre" size="sm" style={pre}>
            {m.body}
          </Text>
        </Paper>
      ))}
      <form onSubmit={form.onSubmit(submit)}>
        <Stack gap="xs">
          {reply.error !== null && <ErrorAlert error={reply.error} onClose={reply.reset} />}
          <Textarea
            label={t('incidents.report.replyToReporter')}
            description={t('incidents.report.replyHint')}
            {...form.getInputProps('body')}
            autosize
            minRows={2}
          />
          <Group>
            <Button type="submit" size="xs" variant="light" disabled={!form.values.body.trim()} loading={reply.isPending}>
              {t('incidents.report.sendReply')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

/** A titled panel of a page. */
export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" data-testid={testId}>
      <Stack gap="xs">
        <Title order={2} size="h4">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
