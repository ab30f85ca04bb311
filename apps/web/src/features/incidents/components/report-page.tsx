import { Anchor, Badge, Button, Center, Group, Loader, Paper, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { INCIDENT_CATEGORIES, type IncidentCategory, type LookupAnswer } from '@renkei/contract';
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { linkProps, navigate, useLocation } from '../../../lib/navigation.ts';
import { type Proposal, type ReportDetail, createIncident, getProposals, getReport, linkReports, replyToReporter, updateReport } from '../api/incidents.ts';
import { PriorityBadge, TlpBadge } from './badges.tsx';
import { proposedParties } from '../parties.ts';
import { LookupAnswers } from './lookup-answers.tsx';

const pre = { whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)' } as const;

/** One report as triage sees it: the text as received, its observables, the lookup, proposals and parties. */
export function ReportPage() {
  const { t } = useTranslation();
  const reportId = useLocation().search.get('id') ?? '';
  const [report, setReport] = useState<ReportDetail | null>(null);
  const [proposals, setProposals] = useState<Proposal[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useDocumentTitle(`${report?.reference ?? t('incidents.report.title')} · Renkei`);

  const load = useCallback(() => {
    setError(null);
    getReport(reportId).then(setReport, setError);
    getProposals(reportId).then(setProposals, setError);
  }, [reportId]);
  useEffect(load, [load]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    }
  };

  if (report === null) {
    return error !== null ? (
      <ErrorAlert error={error} onRetry={load} />
    ) : (
      <Center p="xl" role="status" aria-label={t('app.loading')}>
        <Loader />
      </Center>
    );
  }
  const lookup = report.lookup as LookupAnswer[];
  const parties = proposedParties(lookup);

  return (
    <Stack gap="md" maw={1200} data-testid="report-page">
      <Anchor {...linkProps('/incidents/triage')} size="sm">
        ← {t('incidents.triage.title')}
      </Anchor>
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
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}

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

      <Triage report={report} proposals={proposals} act={act} onChanged={load} />

      <Messages report={report} onChanged={load} />

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

function Triage({
  report,
  proposals,
  act,
  onChanged,
}: {
  report: ReportDetail;
  proposals: Proposal[] | null;
  act: (action: () => Promise<unknown>) => Promise<void>;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const [category, setCategory] = useState<IncidentCategory>(report.category ?? 'other');
  const linkedIds = new Set(report.incidents.map((i) => i.id));

  return (
    <Section title={t('incidents.report.triage')}>
      {report.incidents.length > 0 && (
        <Group gap="xs" data-testid="report-incidents">
          <Text size="sm">{t('incidents.report.linkedTo')}</Text>
          {report.incidents.map((incident) => (
            <Anchor
              key={incident.id}
              {...linkProps(`/incidents/incident?id=${encodeURIComponent(incident.id)}`)}
              size="sm"
              ff="monospace"
              data-testid="report-incident-link"
            >
              {incident.reference}
            </Anchor>
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
            <Anchor {...linkProps(`/incidents/incident?id=${encodeURIComponent(proposal.incident.id)}`)} ff="monospace" size="sm">
              {proposal.incident.reference}
            </Anchor>
            <Text size="sm">{proposal.incident.title}</Text>
            <Text size="xs" c="dimmed">
              {t('incidents.report.matched', { items: proposal.matched.map((m) => m.value).join(', ') })}
            </Text>
            {!linkedIds.has(proposal.incident.id) && (
              <Button
                size="xs"
                variant="light"
                onClick={() => void act(async () => navigateTo((await linkReports(proposal.incident.id, [report.id])).id))}
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
        <Button onClick={() => void act(async () => navigateTo((await createIncident({ reportIds: [report.id], category })).id))} data-testid="create-incident">
          {t('incidents.report.createIncident')}
        </Button>
        {report.status === 'new' && (
          <Button
            variant="default"
            onClick={() => void act(async () => (await updateReport(report.id, { status: 'triaged' }), onChanged()))}
            data-testid="report-mark-triaged"
          >
            {t('incidents.report.markTriaged')}
          </Button>
        )}
        {report.status !== 'discarded' && (
          <Button
            variant="subtle"
            color="red"
            onClick={() => void act(async () => (await updateReport(report.id, { status: 'discarded' }), onChanged()))}
            data-testid="report-discard"
          >
            {t('incidents.report.discard')}
          </Button>
        )}
      </Group>
    </Section>
  );
}

const navigateTo = (incidentId: string) => navigate(`/incidents/incident?id=${encodeURIComponent(incidentId)}`);

function Messages({ report, onChanged }: { report: ReportDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    setError(null);
    try {
      await replyToReporter(report.id, body);
      setBody('');
      onChanged();
    } catch (caught) {
      setError(caught);
    }
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
      <form onSubmit={(event) => void submit(event)}>
        <Stack gap="xs">
          {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
          <Textarea
            label={t('incidents.report.replyToReporter')}
            description={t('incidents.report.replyHint')}
            value={body}
            onChange={(event) => setBody(event.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Group>
            <Button type="submit" size="xs" variant="light" disabled={!body.trim()}>
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
