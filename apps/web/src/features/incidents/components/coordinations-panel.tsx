import { Badge, Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { CATEGORY_LABELS, COORDINATION_ROLES, COORDINATION_TRANSITIONS, type CoordinationRole, type MailMessageDetail, tlpLabel } from '@renkei/contract';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import {
  type Coordination,
  type Incident,
  type PartySuggestion,
  createCoordination,
  renderNotification,
  sendCoordination,
  threadMessages,
  transitionCoordination,
} from '../api/incidents.ts';
import { CoordinationStateBadge } from './badges.tsx';

const pre = { whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)', margin: 0 } as const;

export interface CoordinationsPanelProps {
  incident: Incident;
  /** The incident's hosts and URLs, for the notification's summary. */
  observables: string[];
  parties: PartySuggestion[];
  coordinations: Coordination[];
  onChanged: () => void;
}

/** One coordination per party: proposed parties, drafts from the ja/en template, sending, the thread and state changes. */
export function CoordinationsPanel({ incident, observables, parties, coordinations, onChanged }: CoordinationsPanelProps) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      onChanged();
    } catch (caught) {
      setError(caught);
    }
  };
  const covered = (party: PartySuggestion) =>
    coordinations.some(
      (c) => (party.organisationId && c.organisationId === party.organisationId) || (party.email && c.contactEmail === party.email.toLowerCase()),
    );
  const open = incident.status !== 'merged';

  return (
    <Stack gap="sm">
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
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
                  void act(() =>
                    createCoordination(incident.id, {
                      role: (COORDINATION_ROLES as readonly string[]).includes(party.role) ? (party.role as CoordinationRole) : 'other',
                      ...(party.organisationId
                        ? { organisationId: party.organisationId }
                        : { contactEmail: party.email!, ...(party.name ? { contactName: party.name } : {}) }),
                      ...(party.country && /^[A-Z]{2}$/.test(party.country) ? { country: party.country } : {}),
                    }),
                  )
                }
                data-testid="party-coordinate"
              >
                {t('incidents.coordination.start')}
              </Button>
            )}
          </Group>
        ))
      )}
      {open && <AddParty onAdd={(input) => act(() => createCoordination(incident.id, input))} />}
      {coordinations.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('incidents.coordination.none')}
        </Text>
      ) : (
        coordinations.map((coordination) => (
          <CoordinationCard key={coordination.id} incident={incident} observables={observables} coordination={coordination} act={act} />
        ))
      )}
    </Stack>
  );
}

function AddParty({
  onAdd,
}: {
  onAdd: (input: { role: CoordinationRole; contactEmail: string; contactName?: string; language: 'ja' | 'en' }) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<CoordinationRole>('site_owner');
  const [language, setLanguage] = useState<'ja' | 'en'>('ja');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) return;
    await onAdd({ role, contactEmail: email.trim(), ...(name.trim() ? { contactName: name.trim() } : {}), language });
    setEmail('');
    setName('');
  };
  return (
    <form onSubmit={(event) => void submit(event)}>
      <Group align="flex-end" gap="xs">
        <TextInput
          label={t('incidents.coordination.email')}
          type="email"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          data-testid="coordination-add-email"
        />
        <TextInput label={t('incidents.coordination.name')} value={name} onChange={(event) => setName(event.currentTarget.value)} />
        <Select
          label={t('incidents.coordination.role')}
          data={COORDINATION_ROLES.map((value) => ({ value, label: t(`incidents.role.${value}`) }))}
          value={role}
          onChange={(value) => value && setRole(value as CoordinationRole)}
          allowDeselect={false}
          w={180}
        />
        <SegmentedControl
          value={language}
          onChange={(value) => setLanguage(value as 'ja' | 'en')}
          data={[
            { value: 'ja', label: '日本語' },
            { value: 'en', label: 'English' },
          ]}
        />
        <Button type="submit" variant="default" disabled={!email.trim()} data-testid="coordination-add">
          {t('incidents.coordination.add')}
        </Button>
      </Group>
    </form>
  );
}

function CoordinationCard({
  incident,
  observables,
  coordination: c,
  act,
}: {
  incident: Incident;
  observables: string[];
  coordination: Coordination;
  act: (action: () => Promise<unknown>) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<{ subject: string; text: string } | null>(null);
  const [language, setLanguage] = useState<'ja' | 'en'>(c.language);
  const [messages, setMessages] = useState<MailMessageDetail[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const overdue = c.nextReminderAt !== null && new Date(c.nextReminderAt).getTime() < Date.now();

  useEffect(() => {
    if (!c.mailThreadId) return;
    threadMessages(c.mailThreadId).then(setMessages, setError);
  }, [c.mailThreadId, c.updatedAt]);

  const makeDraft = async (lang: 'ja' | 'en') => {
    setError(null);
    try {
      const summary = [`${CATEGORY_LABELS[incident.category][lang]}:`, ...observables.map((o) => `  ${o}`)].join('\n');
      const rendered = await renderNotification({
        language: lang,
        tlp: tlpLabel(incident.tlp),
        variables: { name: c.contactName ?? c.contactEmail ?? '', reference: incident.reference, summary },
      });
      setDraft({ subject: rendered.subject, text: rendered.text });
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Paper withBorder radius="md" p="md" data-testid="coordination" data-thread-key={c.threadKey} data-state={c.state}>
      <Stack gap="xs">
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
        {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}

        {messages && messages.length > 0 && (
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
        )}

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
            <Button size="xs" variant="light" onClick={() => void makeDraft(language)} data-testid="coordination-draft">
              {t('incidents.coordination.draft')}
            </Button>
          </Group>
        )}
        {draft && c.state !== 'closed' && (
          <Stack gap="xs" data-testid="draft">
            <TextInput
              label={t('incidents.coordination.subject')}
              value={draft.subject}
              onChange={(event) => setDraft({ ...draft, subject: event.currentTarget.value })}
              data-testid="draft-subject"
            />
            <Textarea
              label={t('incidents.coordination.body')}
              value={draft.text}
              onChange={(event) => setDraft({ ...draft, text: event.currentTarget.value })}
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
                onClick={() =>
                  void act(async () => {
                    await sendCoordination(c.id, { subject: draft.subject, text: draft.text, tlp: incident.tlp });
                    setDraft(null);
                  })
                }
                disabled={!draft.subject.trim() || !draft.text.trim() || !c.contactEmail}
                data-testid="coordination-send"
              >
                {t('incidents.coordination.send')}
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setDraft(null)}>
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
                  onClick={() => void act(() => transitionCoordination(c.id, state))}
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
