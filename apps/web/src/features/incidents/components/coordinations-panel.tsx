import { Badge, Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  CATEGORY_LABELS,
  COORDINATION_ROLES,
  COORDINATION_TRANSITIONS,
  type CoordinationRole,
  type CreateCoordinationRequest,
  tlpLabel,
} from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import {
  type Coordination,
  type Incident,
  type PartySuggestion,
  useCreateCoordination,
  useRenderNotification,
  useSendCoordination,
  useThreadMessages,
  useTransitionCoordination,
} from '../api/incidents.ts';
import { CoordinationStateBadge } from './badges.tsx';

const pre = { whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)', margin: 0 } as const;

export interface CoordinationsPanelProps {
  incident: Incident;
  /** The incident's hosts and URLs, for the notification's summary. */
  observables: string[];
  parties: PartySuggestion[];
  coordinations: Coordination[];
}

/** One coordination per party: proposed parties, drafts from the ja/en template, sending, the thread and state changes. */
export function CoordinationsPanel({ incident, observables, parties, coordinations }: CoordinationsPanelProps) {
  const { t } = useTranslation();
  const create = useCreateCoordination(incident.id);
  const covered = (party: PartySuggestion) =>
    coordinations.some(
      (c) => (party.organisationId && c.organisationId === party.organisationId) || (party.email && c.contactEmail === party.email.toLowerCase()),
    );
  const open = incident.status !== 'merged';

  return (
    <Stack gap="sm">
      {create.error !== null && <ErrorAlert error={create.error} onClose={create.reset} />}
      <Text size="sm" fw={500}>
        {t('incidents.coordination.proposedParties')}
      </Text>
      {parties.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('incidents.report.noParties')}
        </Text>
      ) : (
        parties.map((party, i) => (
          <Group key={i} gap="xs" data-testid="party-row" data-role={party.role}>
            <Badge variant="light">{t(`incidents.role.${party.role}`, { defaultValue: party.role })}</Badge>
            <Text size="sm" fw={500} data-testid="party-name">
              {party.name ?? '—'}
            </Text>
            <Text size="sm">{party.email ?? t('incidents.report.noAddress')}</Text>
            {party.country && <Badge variant="outline">{party.country}</Badge>}
            <Text size="xs" c="dimmed">
              {t('incidents.report.forHost', { host: party.for })} · {party.source}
            </Text>
            {open && !covered(party) && (
              <Button
                size="xs"
                variant="light"
                disabled={!party.organisationId && !party.email}
                onClick={() =>
                  create.mutate({
                    role: (COORDINATION_ROLES as readonly string[]).includes(party.role) ? (party.role as CoordinationRole) : 'other',
                    ...(party.organisationId
                      ? { organisationId: party.organisationId }
                      : { contactEmail: party.email!, ...(party.name ? { contactName: party.name } : {}) }),
                    ...(party.country && /^[A-Z]{2}$/.test(party.country) ? { country: party.country } : {}),
                  })
                }
                data-testid="party-coordinate"
              >
                {t('incidents.coordination.start')}
              </Button>
            )}
          </Group>
        ))
      )}
      {open && <AddParty onAdd={(input, onDone) => create.mutate(input, { onSuccess: onDone })} />}
      {coordinations.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('incidents.coordination.none')}
        </Text>
      ) : (
        coordinations.map((coordination) => (
          <CoordinationCard key={coordination.id} incident={incident} observables={observables} coordination={coordination} />
        ))
      )}
    </Stack>
  );
}

function AddParty({ onAdd }: { onAdd: (input: CreateCoordinationRequest, onDone: () => void) => void }) {
  const { t } = useTranslation();
  const form = useForm<{ email: string; name: string; role: CoordinationRole; language: 'ja' | 'en' }>({
    mode: 'controlled',
    initialValues: { email: '', name: '', role: 'site_owner', language: 'ja' },
  });
  const submit = ({ email, name, role, language }: typeof form.values) => {
    if (!email.trim()) return;
    onAdd({ role, contactEmail: email.trim(), ...(name.trim() ? { contactName: name.trim() } : {}), language }, () => {
      form.setFieldValue('email', '');
      form.setFieldValue('name', '');
    });
  };
  return (
    <form onSubmit={form.onSubmit(submit)}>
      <Group align="flex-end" gap="xs">
        <TextInput label={t('incidents.coordination.email')} type="email" {...form.getInputProps('email')} data-testid="coordination-add-email" />
        <TextInput label={t('incidents.coordination.name')} {...form.getInputProps('name')} />
        <Select
          label={t('incidents.coordination.role')}
          data={COORDINATION_ROLES.map((value) => ({ value, label: t(`incidents.role.${value}`) }))}
          {...form.getInputProps('role')}
          allowDeselect={false}
          w={180}
        />
        <SegmentedControl
          {...form.getInputProps('language')}
          data={[
            { value: 'ja', label: '日本語' },
            { value: 'en', label: 'English' },
          ]}
        />
        <Button type="submit" variant="default" disabled={!form.values.email.trim()} data-testid="coordination-add">
          {t('incidents.coordination.add')}
        </Button>
      </Group>
    </form>
  );
}

function CoordinationCard({ incident, observables, coordination: c }: { incident: Incident; observables: string[]; coordination: Coordination }) {
  const { t } = useTranslation();
  // The draft is a form once the template has been rendered; `hasDraft` says whether it is shown.
  const [hasDraft, setHasDraft] = useState(false);
  const draft = useForm({ mode: 'controlled', initialValues: { subject: '', text: '' } });
  const [language, setLanguage] = useState<'ja' | 'en'>(c.language);
  const thread = useThreadMessages(c.mailThreadId, c.updatedAt);
  const messages = thread.data ?? null;
  const render = useRenderNotification();
  const send = useSendCoordination();
  const transition = useTransitionCoordination();
  const error = thread.error ?? render.error ?? send.error ?? transition.error;
  const clearError = () => {
    render.reset();
    send.reset();
    transition.reset();
  };
  const overdue = c.nextReminderAt !== null && new Date(c.nextReminderAt).getTime() < Date.now();

  const makeDraft = (lang: 'ja' | 'en') => {
    const summary = [`${CATEGORY_LABELS[incident.category][lang]}:`, ...observables.map((o) => `  ${o}`)].join('\n');
    render.mutate(
      {
        language: lang,
        tlp: tlpLabel(incident.tlp),
        variables: { name: c.contactName ?? c.contactEmail ?? '', reference: incident.reference, summary },
      },
      {
        onSuccess: (rendered) => {
          draft.setValues({ subject: rendered.subject, text: rendered.text });
          setHasDraft(true);
        },
      },
    );
  };

  return (
    <Paper withBorder radius="md" p="md" data-testid="coordination" data-thread-key={c.threadKey} data-state={c.state}>
      <Stack gap="xs">
        <CoordinationHeader coordination={c} overdue={overdue} />
        {error !== null && <ErrorAlert error={error} onClose={clearError} />}

        {messages && messages.length > 0 && <CoordinationThread messages={messages} />}

        {c.state !== 'closed' && (
          <Group gap="xs">
            <SegmentedControl
              size="xs"
              value={language}
              onChange={(value) => setLanguage(value as 'ja' | 'en')}
              data={[
                { value: 'ja', label: '日本語' },
                { value: 'en', label: 'English' },
              ]}
              data-testid="draft-language"
            />
            <Button size="xs" variant="light" onClick={() => makeDraft(language)} loading={render.isPending} data-testid="coordination-draft">
              {t('incidents.coordination.draft')}
            </Button>
          </Group>
        )}
        {hasDraft && c.state !== 'closed' && (
          <Stack gap="xs" data-testid="draft">
            <TextInput label={t('incidents.coordination.subject')} {...draft.getInputProps('subject')} data-testid="draft-subject" />
            <Textarea
              label={t('incidents.coordination.body')}
              {...draft.getInputProps('text')}
              autosize
              minRows={6}
              maxRows={20}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              data-testid="draft-text"
            />
            <Text size="xs" c="dimmed">
              {t('incidents.coordination.sendHint')}
            </Text>
            <Group>
              <Button
                size="xs"
                onClick={() => send.mutate({ coordinationId: c.id, ...draft.values, tlp: incident.tlp }, { onSuccess: () => setHasDraft(false) })}
                loading={send.isPending}
                disabled={!draft.values.subject.trim() || !draft.values.text.trim() || !c.contactEmail}
                data-testid="coordination-send"
              >
                {t('incidents.coordination.send')}
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setHasDraft(false)}>
                {t('incidents.coordination.discardDraft')}
              </Button>
            </Group>
          </Stack>
        )}

        {COORDINATION_TRANSITIONS[c.state].some((s) => s !== 'sent') && (
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              {t('incidents.coordination.moveTo')}
            </Text>
            {COORDINATION_TRANSITIONS[c.state]
              .filter((s) => s !== 'sent')
              .map((state) => (
                <Button
                  key={state}
                  size="xs"
                  variant="default"
                  onClick={() => transition.mutate({ coordinationId: c.id, state })}
                  data-testid={`coordination-to-${state}`}
                >
                  {t(`incidents.coordinationState.${state}`)}
                </Button>
              ))}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** The party, its state and language, and when mail went and reminders are due. */
function CoordinationHeader({ coordination: c, overdue }: { coordination: Coordination; overdue: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <Group gap="xs" justify="space-between">
        <Group gap="xs">
          <Text ff="monospace" fw={600}>
            {c.threadKey}
          </Text>
          <CoordinationStateBadge state={c.state} />
          <Badge variant="light">{t(`incidents.role.${c.role}`)}</Badge>
          {c.country && <Badge variant="outline">{c.country}</Badge>}
          <Badge variant="outline" color="gray">
            {c.language}
          </Badge>
          {overdue && (
            <Badge color="red" data-testid="coordination-overdue">
              {t('incidents.waiting.overdue')}
            </Badge>
          )}
        </Group>
        <Text size="sm" data-testid="coordination-party">
          {c.contactName ?? '—'} &lt;{c.contactEmail ?? t('incidents.report.noAddress')}&gt;
        </Text>
      </Group>
      <Group gap="md">
        {c.sentAt && (
          <Text size="xs" c="dimmed">
            {t('incidents.coordination.sentAt')}: <DateTime value={c.sentAt} />
          </Text>
        )}
        {c.nextReminderAt && (
          <Text size="xs" c={overdue ? 'red' : 'dimmed'}>
            {t('incidents.coordination.nextReminder')}: <DateTime value={c.nextReminderAt} />
          </Text>
        )}
        {c.remindersSent > 0 && (
          <Text size="xs" c="dimmed">
            {t('incidents.coordination.reminders', { count: c.remindersSent })}
          </Text>
        )}
      </Group>
    </>
  );
}

/** The mail thread with the party, both directions, with delivery and PGP detail of what went out. */
function CoordinationThread({ messages }: { messages: NonNullable<ReturnType<typeof useThreadMessages>['data']> }) {
  const { t } = useTranslation();
  return (
    <Stack gap={6} data-testid="coordination-thread">
      {messages.map((m) => (
        <Paper
          key={m.id}
          withBorder
          p="xs"
          bg={m.direction === 'inbound' ? 'var(--mantine-color-blue-light)' : undefined}
          data-testid="coordination-message"
          data-direction={m.direction}
        >
          <Text size="xs" c="dimmed">
            {m.direction === 'outbound'
              ? `${t('incidents.coordination.outbound')} → ${m.to.join(', ')}`
              : `${t('incidents.coordination.inbound')} ← ${m.fromAddress ?? '—'}`}{' '}
            · <DateTime value={m.receivedAt} />
            {m.direction === 'outbound' && m.deliveryStatus && ` · ${t(`mail.delivery.${m.deliveryStatus}`, { defaultValue: m.deliveryStatus })}`}
            {m.direction === 'outbound' && m.pgpDetail && ` · ${m.pgpDetail}`}
          </Text>
          <Text size="sm" fw={500} style={{ wordBreak: 'break-word' }}>
            {m.subject}
          </Text>
          <Text component="pre" size="sm" style={pre} data-testid="coordination-message-body">
            {m.textBody.trim() !== '' ? m.textBody : (m.htmlText ?? '')}
          </Text>
        </Paper>
      ))}
    </Stack>
  );
}
