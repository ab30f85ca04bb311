import { Badge, Button, Group, Stack, Text, Textarea, Timeline as MantineTimeline } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type IncidentEvent, useAddNote } from '../api/incidents.ts';

const str = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** One line of detail for an event; every value in `data` may come from a report or a party's mail, so it is only text. */
function useDetail() {
  const { t } = useTranslation();
  return (event: IncidentEvent): string => {
    const d = event.data;
    switch (event.kind) {
      case 'created':
        return [str(d.reference), str(d.title)].filter(Boolean).join(' · ');
      case 'report_linked':
      case 'report_unlinked':
        return [str(d.reference), d.movedTo ? `→ ${str(d.movedTo)}` : ''].filter(Boolean).join(' ');
      case 'coordination_created':
        return [str(d.threadKey), str(d.party), d.role ? t(`incidents.role.${str(d.role)}`, { defaultValue: str(d.role) }) : ''].filter(Boolean).join(' · ');
      case 'coordination_state':
        return `${str(d.threadKey)}: ${t(`incidents.coordinationState.${str(d.from)}`, { defaultValue: str(d.from) })} → ${t(`incidents.coordinationState.${str(d.to)}`, { defaultValue: str(d.to) })}${d.note ? ` (${str(d.note)})` : ''}`;
      case 'message_out':
      case 'reminder':
        return `${str(d.threadKey)} → ${str(d.to)}: ${str(d.subject)}`;
      case 'message_in':
        return `${str(d.threadKey)} ← ${str(d.from)}: ${str(d.subject)}`;
      case 'updated': {
        const changes = (d.changes ?? {}) as Record<string, { from: unknown; to: unknown }>;
        return Object.entries(changes)
          .map(([field, change]) => `${t(`incidents.fields.${field}`, { defaultValue: field })}: ${str(change.from) || '—'} → ${str(change.to) || '—'}`)
          .join(' · ');
      }
      case 'merged_into':
      case 'merged_from':
      case 'split_to':
      case 'split_from':
        return str(d.reference);
      case 'escalated':
        return `${str(d.from)} → ${str(d.to)} (${str(d.nationalCsirt)}, ${str(d.country)})`;
      default:
        return '';
    }
  };
}

/** Every report, message, state change and note of an incident, oldest first, with a form for a note. */
export function IncidentTimeline({ incidentId, events }: { incidentId: string; events: IncidentEvent[] }) {
  const { t } = useTranslation();
  const detail = useDetail();
  const form = useForm({ mode: 'controlled', initialValues: { note: '' } });
  const add = useAddNote(incidentId);

  const submit = ({ note }: { note: string }) => {
    if (!note.trim()) return;
    add.mutate(note, { onSuccess: () => form.reset() });
  };

  return (
    <Stack gap="sm">
      <MantineTimeline bulletSize={14} lineWidth={2} data-testid="timeline">
        {events.map((event) => {
          const body = event.kind === 'note' || event.kind === 'reporter_message' ? str(event.data.body) : '';
          return (
            <MantineTimeline.Item
              key={event.id}
              title={
                <Group gap="xs">
                  <Badge size="sm" variant="light" color={event.kind === 'note' ? 'grape' : event.kind.startsWith('message') ? 'blue' : 'gray'}>
                    {t(`incidents.eventKind.${event.kind}`, { defaultValue: event.kind })}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    <DateTime value={event.at} seconds /> · {event.actorLabel}
                  </Text>
                </Group>
              }
              data-testid="timeline-event"
              data-kind={event.kind}
            >
              {detail(event) && (
                <Text size="sm" style={{ wordBreak: 'break-word' }}>
                  {detail(event)}
                </Text>
              )}
              {body && (
                <Text size="sm" component="pre" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', margin: 0 }} data-testid="timeline-note">
                  {body}
                </Text>
              )}
            </MantineTimeline.Item>
          );
        })}
      </MantineTimeline>
      <form onSubmit={form.onSubmit(submit)}>
        <Stack gap="xs">
          {add.error !== null && <ErrorAlert error={add.error} onClose={add.reset} />}
          <Textarea label={t('incidents.timeline.note')} {...form.getInputProps('note')} autosize minRows={2} data-testid="note-body" />
          <Group>
            <Button type="submit" size="xs" disabled={!form.values.note.trim()} loading={add.isPending} data-testid="note-submit">
              {t('incidents.timeline.addNote')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
