import { Autocomplete, Badge, Button, Grid, Group, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDocumentTitle } from '@mantine/hooks';
import { INCIDENT_CATEGORIES, TLP_LEVELS, type UpdateIncidentRequest, tlpLabel } from '@renkei/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { LoadingView, QueryView } from '../../../components/query-view.tsx';
import { useMe } from '../../../lib/session.tsx';
import { type Incident, incidentsKeys, useCoordinations, useIncident, useParties, useReportsOf, useTimeline, useUpdateIncident } from '../api/incidents.ts';
import { formatDuration } from '../duration.ts';
import { PriorityBadge, TlpBadge } from './badges.tsx';
import { CoordinationsPanel } from './coordinations-panel.tsx';
import { Section } from './report-page.tsx';
import { IncidentTimeline } from './timeline.tsx';

const STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
const SECTORS = ['finance', 'ecommerce', 'telecom', 'logistics', 'government', 'crypto', 'other'] as const;
const HOSTING = ['shared', 'dedicated', 'cloud', 'compromised', 'free', 'bulletproof'] as const;
/** Reports read for the incident page (their observables feed the notification's summary). */
const REPORTS_SHOWN = 20;

type Change = (changes: UpdateIncidentRequest) => void;

/** An incident: its fields and phishing detail, its reports, coordinations with each party, and the timeline. */
export function IncidentPage({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const incident = useIncident(incidentId);
  useDocumentTitle(`${incident.data?.reference ?? t('incidents.incident.title')} · Renkei`);
  return <QueryView query={incident}>{(loaded) => <IncidentView key={incidentId} incident={loaded} />}</QueryView>;
}

function IncidentView({ incident }: { incident: Incident }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const reports = useReportsOf(incident.reportIds.slice(0, REPORTS_SHOWN));
  const timeline = useTimeline(incident.id);
  const coordinations = useCoordinations(incident.id);
  const parties = useParties(incident.id);
  const update = useUpdateIncident(incident.id);
  const change: Change = (changes) => update.mutate(changes);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: incidentsKeys.all });

  // The page shows once every part has arrived, as one consistent picture of the incident.
  const loadError = reports.error ?? timeline.error ?? coordinations.error ?? parties.error;
  if (reports.data === undefined || timeline.data === undefined || coordinations.data === undefined || parties.data === undefined) {
    return loadError !== null ? <ErrorAlert error={loadError} onRetry={refresh} /> : <LoadingView />;
  }
  const observables = [
    ...new Set(reports.data.flatMap((r) => r.observables.filter((o) => o.kind === 'url' || o.kind === 'domain' || o.kind === 'ip').map((o) => o.value))),
  ];

  return (
    <Stack gap="md" maw={1300} data-testid="incident-page" data-incident-id={incident.id}>
      <Group justify="space-between">
        <AnchorLink to="/incidents" size="sm">
          ← {t('incidents.list.title')}
        </AnchorLink>
        <Button variant="default" size="xs" onClick={refresh} data-testid="incident-refresh">
          {t('incidents.refresh')}
        </Button>
      </Group>
      <div>
        <Text ff="monospace" c="dimmed" size="sm" data-testid="incident-reference">
          {incident.reference} · {incident.rsit}
        </Text>
        <Title order={1} size="h2" style={{ wordBreak: 'break-word' }} data-testid="incident-title">
          {incident.title}
        </Title>
      </div>
      <Group gap="xs">
        <Badge variant="filled" data-testid="incident-status" data-status={incident.status}>
          {t(`incidents.incidentStatus.${incident.status}`)}
        </Badge>
        <PriorityBadge priority={incident.priority} />
        <TlpBadge tlp={incident.tlp} />
        <Badge variant="outline">{t(`incidents.category.${incident.category}`)}</Badge>
      </Group>
      {update.error !== null && <ErrorAlert error={update.error} onClose={update.reset} />}

      <Grid>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <Fields incident={incident} change={change} />
            {incident.category === 'phishing' && <PhishingDetail incident={incident} change={change} />}
            <Section title={t('incidents.incident.reports', { count: incident.reportIds.length })}>
              {reports.data.map((report) => (
                <Group key={report.id} gap="xs" wrap="nowrap" data-testid="incident-report">
                  <AnchorLink to="/reports/$reportId" params={{ reportId: report.id }} ff="monospace" size="sm">
                    {report.reference}
                  </AnchorLink>
                  <Text size="sm" lineClamp={1} style={{ wordBreak: 'break-word' }}>
                    {report.title}
                  </Text>
                </Group>
              ))}
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack gap="md">
            <Section title={t('incidents.coordination.title')} testId="coordinations">
              <CoordinationsPanel incident={incident} observables={observables} parties={parties.data} coordinations={coordinations.data} />
            </Section>
            <Section title={t('incidents.timeline.title')}>
              <IncidentTimeline incidentId={incident.id} events={timeline.data} />
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Fields({ incident, change }: { incident: Incident; change: Change }) {
  const { t } = useTranslation();
  const me = useMe();
  const writable = incident.status !== 'merged';
  const form = useForm({ mode: 'controlled', initialValues: { due: incident.dueAt ? toLocalInput(incident.dueAt) : '' } });
  return (
    <Section title={t('incidents.incident.fields')}>
      <Select
        label={t('incidents.fields.status')}
        data={STATUSES.map((value) => ({ value, label: t(`incidents.incidentStatus.${value}`) }))}
        value={incident.status === 'merged' ? null : incident.status}
        disabled={!writable}
        onChange={(value) => value && change({ status: value as (typeof STATUSES)[number] })}
        allowDeselect={false}
        data-testid="incident-status-select"
      />
      <Select
        label={t('incidents.fields.category')}
        data={INCIDENT_CATEGORIES.map((value) => ({ value, label: t(`incidents.category.${value}`) }))}
        value={incident.category}
        disabled={!writable}
        onChange={(value) => value && change({ category: value as Incident['category'] })}
        allowDeselect={false}
        data-testid="incident-category-select"
      />
      <Group grow>
        <Select
          label="TLP"
          data={TLP_LEVELS.map((value) => ({ value, label: tlpLabel(value) }))}
          value={incident.tlp}
          disabled={!writable}
          onChange={(value) => value && change({ tlp: value as Incident['tlp'] })}
          allowDeselect={false}
          data-testid="incident-tlp-select"
        />
        <Select
          label={t('incidents.fields.priority')}
          data={[1, 2, 3, 4].map((p) => ({ value: String(p), label: t(`incidents.priority.p${p}` as 'incidents.priority.p1') }))}
          value={String(incident.priority)}
          disabled={!writable}
          onChange={(value) => value && change({ priority: Number(value) })}
          allowDeselect={false}
          data-testid="incident-priority-select"
        />
      </Group>
      <Group gap="xs" align="flex-end">
        <Text size="sm" data-testid="incident-assignee">
          {t('incidents.fields.assigneeId')}:{' '}
          {incident.assigneeId === null
            ? t('incidents.incident.unassigned')
            : incident.assigneeId === me.id
              ? t('incidents.incident.you')
              : incident.assigneeId}
        </Text>
        {writable && incident.assigneeId !== me.id && (
          <Button size="xs" variant="light" onClick={() => change({ assigneeId: me.id })} data-testid="assign-me">
            {t('incidents.incident.assignMe')}
          </Button>
        )}
        {writable && incident.assigneeId !== null && (
          <Button size="xs" variant="subtle" onClick={() => change({ assigneeId: null })}>
            {t('incidents.incident.unassign')}
          </Button>
        )}
      </Group>
      <Group gap="xs" align="flex-end">
        <TextInput label={t('incidents.fields.dueAt')} type="datetime-local" {...form.getInputProps('due')} disabled={!writable} data-testid="incident-due" />
        <Button
          size="xs"
          variant="default"
          disabled={!writable}
          onClick={() => change({ dueAt: form.values.due ? new Date(form.values.due).toISOString() : null })}
          data-testid="incident-due-save"
        >
          {t('incidents.save')}
        </Button>
        {incident.dueAt && (
          <Text size="xs" c={new Date(incident.dueAt).getTime() < Date.now() ? 'red' : 'dimmed'}>
            <DateTime value={incident.dueAt} />
          </Text>
        )}
      </Group>
    </Section>
  );
}

function PhishingDetail({ incident, change }: { incident: Incident; change: Change }) {
  const { t } = useTranslation();
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      brand: incident.brand ?? '',
      sector: incident.brandSector ?? '',
      domestic: incident.brandDomestic === null ? 'unknown' : incident.brandDomestic ? 'domestic' : 'foreign',
      hosting: incident.hostingType ?? '',
    },
  });
  const writable = incident.status !== 'merged';

  const submit = ({ brand, sector, domestic, hosting }: typeof form.values) =>
    change({
      brand: brand.trim() || null,
      brandSector: sector.trim() || null,
      brandDomestic: domestic === 'unknown' ? null : domestic === 'domestic',
      hostingType: hosting.trim() || null,
    });

  return (
    <Section title={t('incidents.phishing.title')} testId="phishing-detail">
      <form onSubmit={form.onSubmit(submit)}>
        <Stack gap="xs">
          <TextInput label={t('incidents.phishing.brand')} {...form.getInputProps('brand')} maxLength={200} data-testid="phishing-brand" />
          <Autocomplete
            label={t('incidents.phishing.sector')}
            data={SECTORS.map((value) => ({ value, label: t(`incidents.phishing.sectors.${value}`) }))}
            {...form.getInputProps('sector')}
            maxLength={100}
            data-testid="phishing-sector"
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              {t('incidents.phishing.domestic')}
            </Text>
            <SegmentedControl
              {...form.getInputProps('domestic')}
              data={[
                { value: 'unknown', label: t('incidents.phishing.unknown') },
                { value: 'domestic', label: t('incidents.phishing.domesticBrand') },
                { value: 'foreign', label: t('incidents.phishing.foreignBrand') },
              ]}
              data-testid="phishing-domestic"
            />
          </div>
          <Autocomplete
            label={t('incidents.phishing.hosting')}
            data={HOSTING.map((value) => ({ value, label: t(`incidents.phishing.hostingTypes.${value}`) }))}
            {...form.getInputProps('hosting')}
            maxLength={100}
            data-testid="phishing-hosting"
          />
          <Group>
            <Button type="submit" size="xs" disabled={!writable} data-testid="phishing-save">
              {t('incidents.save')}
            </Button>
          </Group>
        </Stack>
      </form>
      <Stack gap={4} data-testid="takedown">
        <Text size="sm">
          {t('incidents.phishing.firstReported')}: {incident.firstReportedAt ? <DateTime value={incident.firstReportedAt} /> : '—'}
        </Text>
        <Text size="sm" data-testid="site-down-at">
          {t('incidents.phishing.siteDown')}: {incident.siteDownAt ? <DateTime value={incident.siteDownAt} /> : '—'}
        </Text>
        {incident.takedownSeconds !== null && (
          <Text size="sm" fw={600} data-testid="takedown-time">
            {t('incidents.phishing.takedownTime')}: {formatDuration(incident.takedownSeconds)}
          </Text>
        )}
        <Group gap="xs">
          {incident.siteDownAt === null ? (
            <Button size="xs" color="green" disabled={!writable} onClick={() => change({ siteDownAt: new Date().toISOString() })} data-testid="record-takedown">
              {t('incidents.phishing.recordTakedown')}
            </Button>
          ) : (
            <Button size="xs" variant="subtle" disabled={!writable} onClick={() => change({ siteDownAt: null })} data-testid="clear-takedown">
              {t('incidents.phishing.clearTakedown')}
            </Button>
          )}
        </Group>
      </Stack>
    </Section>
  );
}

/** An ISO instant as the value of a datetime-local input, in the browser's zone. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
