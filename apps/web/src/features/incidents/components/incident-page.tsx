import { Anchor, Autocomplete, Badge, Button, Center, Grid, Group, Loader, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { INCIDENT_CATEGORIES, TLP_LEVELS, type UpdateIncidentRequest, tlpLabel } from '@renkei/contract';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { linkProps, useLocation } from '../../../lib/navigation.ts';
import { useMe } from '../../../lib/session.tsx';
import {
  type Coordination,
  type Incident,
  type IncidentEvent,
  type PartySuggestion,
  type ReportDetail,
  getIncident,
  getParties,
  getReport,
  getTimeline,
  listCoordinations,
  updateIncident,
} from '../api/incidents.ts';
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

interface Loaded {
  incident: Incident;
  reports: ReportDetail[];
  events: IncidentEvent[];
  coordinations: Coordination[];
  parties: PartySuggestion[];
}

/** An incident: its fields and phishing detail, its reports, coordinations with each party, and the timeline. */
export function IncidentPage() {
  const { t } = useTranslation();
  const incidentId = useLocation().search.get('id') ?? '';
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  useDocumentTitle(`${data?.incident.reference ?? t('incidents.incident.title')} · Renkei`);

  const load = useCallback(async () => {
    setError(null);
    try {
      const incident = await getIncident(incidentId);
      const [reports, events, coordinations, parties] = await Promise.all([
        Promise.all(incident.reportIds.slice(0, REPORTS_SHOWN).map(getReport)),
        getTimeline(incidentId),
        listCoordinations(incidentId),
        getParties(incidentId),
      ]);
      setData({ incident, reports, events, coordinations, parties });
    } catch (caught) {
      setError(caught);
    }
  }, [incidentId]);
  useEffect(() => {
    void load();
  }, [load]);

  const change = async (changes: UpdateIncidentRequest) => {
    setError(null);
    try {
      await updateIncident(incidentId, changes);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  if (data === null) {
    return error !== null ? (
      <ErrorAlert error={error} onRetry={() => void load()} />
    ) : (
      <Center p="xl" role="status" aria-label={t('app.loading')}>
        <Loader />
      </Center>
    );
  }
  const { incident, reports } = data;
  const observables = [
    ...new Set(reports.flatMap((r) => r.observables.filter((o) => o.kind === 'url' || o.kind === 'domain' || o.kind === 'ip').map((o) => o.value))),
  ];

  return (
    <Stack gap="md" maw={1300} data-testid="incident-page" data-incident-id={incident.id}>
      <Group justify="space-between">
        <Anchor {...linkProps('/incidents')} size="sm">
          ← {t('incidents.list.title')}
        </Anchor>
        <Button variant="default" size="xs" onClick={() => void load()} data-testid="incident-refresh">
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
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}

      <Grid>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <Fields incident={incident} change={change} />
            {incident.category === 'phishing' && <PhishingDetail incident={incident} change={change} />}
            <Section title={t('incidents.incident.reports', { count: incident.reportIds.length })}>
              {reports.map((report) => (
                <Group key={report.id} gap="xs" wrap="nowrap" data-testid="incident-report">
                  <Anchor {...linkProps(`/incidents/report?id=${encodeURIComponent(report.id)}`)} ff="monospace" size="sm">
                    {report.reference}
                  </Anchor>
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
              <CoordinationsPanel
                incident={incident}
                observables={observables}
                parties={data.parties}
                coordinations={data.coordinations}
                onChanged={() => void load()}
              />
            </Section>
            <Section title={t('incidents.timeline.title')}>
              <IncidentTimeline incidentId={incident.id} events={data.events} onChanged={(events) => setData({ ...data, events })} />
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Fields({ incident, change }: { incident: Incident; change: (changes: UpdateIncidentRequest) => Promise<void> }) {
  const { t } = useTranslation();
  const me = useMe();
  const writable = incident.status !== 'merged';
  const [due, setDue] = useState(incident.dueAt ? toLocalInput(incident.dueAt) : '');
  return (
    <Section title={t('incidents.incident.fields')}>
      <Select
        label={t('incidents.fields.status')}
        data={STATUSES.map((value) => ({ value, label: t(`incidents.incidentStatus.${value}`) }))}
        value={incident.status === 'merged' ? null : incident.status}
        disabled={!writable}
        onChange={(value) => value && void change({ status: value as (typeof STATUSES)[number] })}
        allowDeselect={false}
        data-testid="incident-status-select"
      />
      <Select
        label={t('incidents.fields.category')}
        data={INCIDENT_CATEGORIES.map((value) => ({ value, label: t(`incidents.category.${value}`) }))}
        value={incident.category}
        disabled={!writable}
        onChange={(value) => value && void change({ category: value as Incident['category'] })}
        allowDeselect={false}
        data-testid="incident-category-select"
      />
      <Group grow>
        <Select
          label="TLP"
          data={TLP_LEVELS.map((value) => ({ value, label: tlpLabel(value) }))}
          value={incident.tlp}
          disabled={!writable}
          onChange={(value) => value && void change({ tlp: value as Incident['tlp'] })}
          allowDeselect={false}
          data-testid="incident-tlp-select"
        />
        <Select
          label={t('incidents.fields.priority')}
          data={[1, 2, 3, 4].map((p) => ({ value: String(p), label: t(`incidents.priority.p${p}` as 'incidents.priority.p1') }))}
          value={String(incident.priority)}
          disabled={!writable}
          onChange={(value) => value && void change({ priority: Number(value) })}
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
          <Button size="xs" variant="light" onClick={() => void change({ assigneeId: me.id })} data-testid="assign-me">
            {t('incidents.incident.assignMe')}
          </Button>
        )}
        {writable && incident.assigneeId !== null && (
          <Button size="xs" variant="subtle" onClick={() => void change({ assigneeId: null })}>
            {t('incidents.incident.unassign')}
          </Button>
        )}
      </Group>
      <Group gap="xs" align="flex-end">
        <TextInput
          label={t('incidents.fields.dueAt')}
          type="datetime-local"
          value={due}
          onChange={(event) => setDue(event.currentTarget.value)}
          disabled={!writable}
          data-testid="incident-due"
        />
        <Button
          size="xs"
          variant="default"
          disabled={!writable}
          onClick={() => void change({ dueAt: due ? new Date(due).toISOString() : null })}
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

function PhishingDetail({ incident, change }: { incident: Incident; change: (changes: UpdateIncidentRequest) => Promise<void> }) {
  const { t } = useTranslation();
  const [brand, setBrand] = useState(incident.brand ?? '');
  const [sector, setSector] = useState(incident.brandSector ?? '');
  const [domestic, setDomestic] = useState(incident.brandDomestic === null ? 'unknown' : incident.brandDomestic ? 'domestic' : 'foreign');
  const [hosting, setHosting] = useState(incident.hostingType ?? '');
  const writable = incident.status !== 'merged';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await change({
      brand: brand.trim() || null,
      brandSector: sector.trim() || null,
      brandDomestic: domestic === 'unknown' ? null : domestic === 'domestic',
      hostingType: hosting.trim() || null,
    });
  };

  return (
    <Section title={t('incidents.phishing.title')} testId="phishing-detail">
      <form onSubmit={(event) => void submit(event)}>
        <Stack gap="xs">
          <TextInput
            label={t('incidents.phishing.brand')}
            value={brand}
            onChange={(event) => setBrand(event.currentTarget.value)}
            maxLength={200}
            data-testid="phishing-brand"
          />
          <Autocomplete
            label={t('incidents.phishing.sector')}
            data={SECTORS.map((value) => ({ value, label: t(`incidents.phishing.sectors.${value}`) }))}
            value={sector}
            onChange={setSector}
            maxLength={100}
            data-testid="phishing-sector"
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              {t('incidents.phishing.domestic')}
            </Text>
            <SegmentedControl
              value={domestic}
              onChange={setDomestic}
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
            value={hosting}
            onChange={setHosting}
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
            <Button
              size="xs"
              color="green"
              disabled={!writable}
              onClick={() => void change({ siteDownAt: new Date().toISOString() })}
              data-testid="record-takedown"
            >
              {t('incidents.phishing.recordTakedown')}
            </Button>
          ) : (
            <Button size="xs" variant="subtle" disabled={!writable} onClick={() => void change({ siteDownAt: null })} data-testid="clear-takedown">
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
