import { Badge, Button, Group, Paper, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { EmbargoState } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import { browserTimeZone, formatDateTime } from '../../../lib/format-date-time.ts';
import { useSession } from '../../../lib/session.tsx';
import { type CaseDetail, type Embargo, useDecideEmbargo, useProposeEmbargo } from '../api/vulnerabilities.ts';
import { zonedToUtc } from '../zoned-time.ts';

const STATE_COLOURS: Record<EmbargoState, string> = { proposed: 'blue', agreed: 'green', rejected: 'red', superseded: 'gray', released: 'orange' };

/** An instant twice: in the viewer's zone (named) and in UTC, the two forms an embargo is agreed in. */
export function InstantBoth({ value, testId }: { value: string; testId?: string }) {
  return (
    <span data-testid={testId}>
      <DateTime value={value} />{' '}
      <Text span c="dimmed" size="sm">
        / <DateTime value={value} timeZone="UTC" />
      </Text>
    </span>
  );
}

/**
 * The embargo: the agreed instant, every proposal with each participant's decision, accept/reject for
 * the open one, and a form to propose an instant by date and time to the minute in the viewer's zone.
 * `ownOrganisations` are the viewer's (empty for the team): a participant decides once for itself.
 */
export function EmbargoPanel({ detail, asTeam, ownOrganisations }: { detail: CaseDetail; asTeam: boolean; ownOrganisations: ReadonlySet<string> }) {
  const { t } = useTranslation();
  const decide = useDecideEmbargo(detail.id);
  const agreed = detail.embargoes.find((e) => e.state === 'agreed') ?? null;
  const decided = (embargo: Embargo) => !asTeam && embargo.decisions.some((d) => d.organisationId !== null && ownOrganisations.has(d.organisationId));

  return (
    <Section title={t('vulnerabilities.embargo.title')} testId="embargo-panel">
      <div>
        <Text size="sm" fw={500}>
          {t('vulnerabilities.embargo.agreed')}
        </Text>
        {agreed ? (
          <Text size="lg" fw={700} data-testid="embargo-agreed">
            <InstantBoth value={agreed.releaseAt} />
          </Text>
        ) : (
          <Text c="dimmed" size="sm" data-testid="embargo-none">
            {t('vulnerabilities.embargo.none')}
          </Text>
        )}
      </div>
      {decide.error !== null && <ErrorAlert error={decide.error} onClose={decide.reset} />}
      <Stack gap="xs">
        {detail.embargoes.map((embargo) => (
          <Paper key={embargo.id} withBorder p="sm" data-testid="embargo-proposal" data-state={embargo.state}>
            <Group justify="space-between" align="flex-start" wrap="wrap">
              <Stack gap={4}>
                <Group gap="xs">
                  <Badge color={STATE_COLOURS[embargo.state]} variant="light" data-testid="embargo-state">
                    {t(`vulnerabilities.embargoState.${embargo.state}`)}
                  </Badge>
                  <Text size="sm" fw={600}>
                    <InstantBoth value={embargo.releaseAt} />
                  </Text>
                </Group>
                <Text size="xs" c="dimmed">
                  {t('vulnerabilities.embargo.proposedBy', { by: embargo.proposedBy === 'team' ? t('vulnerabilities.embargo.team') : embargo.proposedBy })}{' '}
                  <DateTime value={embargo.proposedAt} />
                </Text>
                {embargo.reason && (
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                    {embargo.reason}
                  </Text>
                )}
                {embargo.decisions.map((d, index) => (
                  <Text key={`${d.organisationId ?? 'team'}-${index}`} size="xs" data-testid="embargo-decision">
                    {d.name || t('vulnerabilities.embargo.team')}: {t(`vulnerabilities.embargoDecision.${d.decision}`)} (<DateTime value={d.at} />)
                  </Text>
                ))}
              </Stack>
              {embargo.state === 'proposed' && !decided(embargo) && (
                <Group gap="xs">
                  <Button
                    size="xs"
                    color="green"
                    loading={decide.isPending}
                    onClick={() => decide.mutate({ embargoId: embargo.id, decision: 'accepted' })}
                    data-testid="embargo-accept"
                  >
                    {t('vulnerabilities.embargo.accept')}
                  </Button>
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    loading={decide.isPending}
                    onClick={() => decide.mutate({ embargoId: embargo.id, decision: 'rejected' })}
                    data-testid="embargo-reject"
                  >
                    {t('vulnerabilities.embargo.reject')}
                  </Button>
                </Group>
              )}
            </Group>
          </Paper>
        ))}
      </Stack>
      <ProposeEmbargoForm caseId={detail.id} />
    </Section>
  );
}

function ProposeEmbargoForm({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const zone = me?.timeZone ?? browserTimeZone();
  const propose = useProposeEmbargo(caseId);
  const form = useForm({
    initialValues: { date: '', time: '10:00', reason: '' },
    validate: {
      date: (value, values) => (zonedToUtc(value, values.time, zone) === null ? t('vulnerabilities.embargo.invalidInstant') : null),
    },
  });
  const instant = zonedToUtc(form.values.date, form.values.time, zone);
  const preview = instant ? formatDateTime(instant, 'UTC') : null;

  return (
    <form
      onSubmit={form.onSubmit((values) => {
        const releaseAt = zonedToUtc(values.date, values.time, zone);
        if (releaseAt) propose.mutate({ releaseAt, reason: values.reason }, { onSuccess: () => form.reset() });
      })}
      data-testid="embargo-form"
    >
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('vulnerabilities.embargo.propose')}
        </Text>
        <Group align="flex-end" gap="sm">
          <TextInput type="date" label={t('vulnerabilities.embargo.date')} required data-testid="embargo-date" {...form.getInputProps('date')} />
          <TextInput
            type="time"
            step={60}
            label={t('vulnerabilities.embargo.time', { zone })}
            required
            data-testid="embargo-time"
            {...form.getInputProps('time')}
          />
          <Button type="submit" loading={propose.isPending} data-testid="embargo-submit">
            {t('vulnerabilities.embargo.proposeButton')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed" data-testid="embargo-preview">
          {preview ? t('vulnerabilities.embargo.preview', { utc: preview.text }) : t('vulnerabilities.embargo.previewNone')}
        </Text>
        <Textarea label={t('vulnerabilities.embargo.reason')} autosize minRows={1} maxRows={4} maxLength={5000} {...form.getInputProps('reason')} />
        {propose.error !== null && <ErrorAlert error={propose.error} onClose={propose.reset} />}
      </Stack>
    </form>
  );
}
