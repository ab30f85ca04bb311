import { Button, Drawer, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Timeline, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, type CaseParticipant, type ContactChannel, type ContactOutcome, type Static } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { browserTimeZone } from '../../../lib/format-date-time.ts';
import { useSession } from '../../../lib/session.tsx';
import {
  type NewContactAttempt,
  useAnnounceUnreachable,
  useContactAttempts,
  useDeclareUnreachable,
  useRecordContactAttempt,
  useUnreachableDevelopers,
} from '../api/back-office.ts';
import { zonedToUtc } from '../zoned-time.ts';

type Participant = Static<typeof CaseParticipant>;

/**
 * Every attempt to reach one vendor of the case (mail, phone, post, web form), the form to record one, and
 * the unreachable-developer procedure with its dates: attempts → declared unreachable → announced on the
 * public list → the case may be published without the vendor from the end of the wait.
 */
export function ContactAttemptsDrawer({ caseId, participant, onClose }: { caseId: string; participant: Participant | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer
      opened={participant !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={participant ? t('backOffice.attempts.title', { name: participant.name }) : ''}
      data-testid="attempts-drawer"
    >
      {participant && <AttemptsView caseId={caseId} participant={participant} />}
    </Drawer>
  );
}

function AttemptsView({ caseId, participant }: { caseId: string; participant: Participant }) {
  const { t } = useTranslation();
  const attempts = useContactAttempts(caseId, participant.id);
  return (
    <Stack gap="md" data-testid="attempts-view">
      <Procedure caseId={caseId} participant={participant} attempts={attempts.data?.items.length ?? 0} />
      <Title order={3} size="h5">
        {t('backOffice.attempts.history')}
      </Title>
      <QueryView query={attempts}>
        {({ items }) =>
          items.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="attempts-empty">
              {t('backOffice.attempts.empty')}
            </Text>
          ) : (
            <Table verticalSpacing={4} data-testid="attempts-table">
              <Table.Thead style={{ whiteSpace: 'nowrap' }}>
                <Table.Tr>
                  <Table.Th>{t('backOffice.attempts.at')}</Table.Th>
                  <Table.Th>{t('backOffice.attempts.channel')}</Table.Th>
                  <Table.Th>{t('backOffice.attempts.outcome')}</Table.Th>
                  <Table.Th>{t('backOffice.attempts.note')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((a) => (
                  <Table.Tr key={a.id} data-testid="attempt-row" data-channel={a.channel} data-outcome={a.outcome}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <DateTime value={a.attemptedAt} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`backOffice.channel.${a.channel}`)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`backOffice.outcome.${a.outcome}`)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="attempt-note">
                      {a.note}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
      <RecordAttemptForm caseId={caseId} participantId={participant.id} />
    </Stack>
  );
}

/** The procedure as a timeline: each step with its date once reached, the next step's button where it is due. */
function Procedure({ caseId, participant, attempts }: { caseId: string; participant: Participant; attempts: number }) {
  const { t } = useTranslation();
  const declare = useDeclareUnreachable(caseId, participant.id);
  const announce = useAnnounceUnreachable(caseId, participant.id);
  const listed = useUnreachableDevelopers();
  const entry = listed.data?.items.find((row) => row.participantId === participant.id) ?? null;
  const reached = [attempts > 0, participant.unreachableAt !== null, entry?.announcedAt != null].lastIndexOf(true);
  return (
    <Stack gap="xs">
      {declare.error !== null && <ErrorAlert error={declare.error} onClose={declare.reset} />}
      {announce.error !== null && <ErrorAlert error={announce.error} onClose={announce.reset} />}
      <Timeline active={reached} bulletSize={18} lineWidth={2} data-testid="unreachable-procedure">
        <Timeline.Item title={t('backOffice.procedure.contact')}>
          <Text size="xs" c="dimmed">
            {participant.contactStartedAt ? (
              <>
                {t('backOffice.procedure.contactStarted')} <DateTime value={participant.contactStartedAt} />
              </>
            ) : (
              t('vulnerabilities.case.noContactYet')
            )}
          </Text>
          <Text size="xs" c="dimmed" data-testid="procedure-attempts">
            {t('backOffice.procedure.attempts', { count: attempts })}
          </Text>
        </Timeline.Item>
        <Timeline.Item title={t('backOffice.procedure.declare')} data-testid="procedure-declared">
          {participant.unreachableAt ? (
            <Text size="xs">
              <DateTime value={participant.unreachableAt} />
            </Text>
          ) : (
            <Button
              size="xs"
              mt={4}
              color="dark"
              disabled={attempts === 0}
              loading={declare.isPending}
              onClick={() => declare.mutate(undefined)}
              data-testid="declare-unreachable"
            >
              {t('backOffice.procedure.declareButton')}
            </Button>
          )}
          {attempts === 0 && !participant.unreachableAt && (
            <Text size="xs" c="dimmed">
              {t('backOffice.procedure.needsAttempt')}
            </Text>
          )}
        </Timeline.Item>
        <Timeline.Item title={t('backOffice.procedure.announce')} data-testid="procedure-announced">
          {entry?.announcedAt ? (
            <Text size="xs">
              <DateTime value={entry.announcedAt} />
            </Text>
          ) : (
            participant.unreachableAt && (
              <Button
                size="xs"
                mt={4}
                variant="light"
                loading={announce.isPending}
                onClick={() => announce.mutate(undefined)}
                data-testid="announce-unreachable"
              >
                {t('backOffice.procedure.announceButton')}
              </Button>
            )
          )}
        </Timeline.Item>
        <Timeline.Item title={t('backOffice.procedure.publish')} data-testid="procedure-publishable">
          <Text size="xs" c="dimmed">
            {entry?.earliestPublicationAt ? <DateTime value={entry.earliestPublicationAt} /> : t('backOffice.procedure.publishHelp')}
          </Text>
        </Timeline.Item>
      </Timeline>
    </Stack>
  );
}

function RecordAttemptForm({ caseId, participantId }: { caseId: string; participantId: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const zone = me?.timeZone ?? browserTimeZone();
  const record = useRecordContactAttempt(caseId, participantId);
  const form = useForm({
    initialValues: { channel: 'mail' as ContactChannel, outcome: 'sent' as ContactOutcome, note: '', date: '', time: '' },
    validate: {
      // Blank date and time: now. Otherwise both, as a real instant in the viewer's zone.
      date: (value, values) =>
        (value === '' && values.time === '') || zonedToUtc(value, values.time, zone) !== null ? null : t('backOffice.attempts.invalidInstant'),
    },
  });
  const submit = form.onSubmit((values) => {
    const input: NewContactAttempt = { channel: values.channel, outcome: values.outcome };
    if (values.note.trim()) input.note = values.note.trim();
    const at = values.date === '' && values.time === '' ? null : zonedToUtc(values.date, values.time, zone);
    if (at) input.attemptedAt = at;
    record.mutate(input, { onSuccess: () => form.reset() });
  });
  return (
    <form onSubmit={submit} data-testid="attempt-form">
      <Stack gap="xs">
        <Title order={3} size="h5">
          {t('backOffice.attempts.record')}
        </Title>
        <SimpleGrid cols={2}>
          <Select
            label={t('backOffice.attempts.channel')}
            data={CONTACT_CHANNELS.map((value) => ({ value, label: t(`backOffice.channel.${value}`) }))}
            allowDeselect={false}
            data-testid="attempt-channel"
            {...form.getInputProps('channel')}
          />
          <Select
            label={t('backOffice.attempts.outcome')}
            data={CONTACT_OUTCOMES.map((value) => ({ value, label: t(`backOffice.outcome.${value}`) }))}
            allowDeselect={false}
            data-testid="attempt-outcome"
            {...form.getInputProps('outcome')}
          />
          <TextInput
            type="date"
            label={t('backOffice.attempts.date')}
            description={t('backOffice.attempts.nowIfBlank')}
            data-testid="attempt-date"
            {...form.getInputProps('date')}
          />
          <TextInput type="time" label={t('backOffice.attempts.time')} description={zone} data-testid="attempt-time" {...form.getInputProps('time')} />
        </SimpleGrid>
        <Textarea
          label={t('backOffice.attempts.note')}
          autosize
          minRows={2}
          maxRows={6}
          maxLength={10_000}
          data-testid="attempt-note-input"
          {...form.getInputProps('note')}
        />
        {record.error !== null && <ErrorAlert error={record.error} onClose={record.reset} />}
        <Group justify="flex-end">
          <Button type="submit" loading={record.isPending} data-testid="attempt-submit">
            {t('backOffice.attempts.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
