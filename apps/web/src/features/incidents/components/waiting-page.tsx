import { Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useNow } from '../../../hooks/use-now.ts';
import { AnchorLink } from '../../../components/links.tsx';
import { type Coordination, useWaiting } from '../api/incidents.ts';
import { CoordinationStateBadge } from './badges.tsx';

/** Parties the team is waiting on (sent, acknowledged, silent), overdue reminders first. */
export function WaitingPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('incidents.waiting.title')} · Renkei`);
  const now = useNow(60_000);
  const query = useWaiting();
  const items = query.data ?? null;

  const overdue = (c: Coordination) => c.nextReminderAt !== null && new Date(c.nextReminderAt).getTime() < now.getTime();
  // The server sorts by next reminder; overdue ones stay first here too, whatever the clock did since.
  const sorted = items ? [...items.filter(overdue), ...items.filter((c) => !overdue(c))] : null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('incidents.waiting.title')}
        </Title>
        <Button variant="default" size="xs" onClick={() => void query.refetch()} loading={query.isFetching}>
          {t('incidents.refresh')}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t('incidents.waiting.intro')}
      </Text>
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {sorted === null ? (
        query.error === null && <Loader size="sm" />
      ) : sorted.length === 0 ? (
        <Text c="dimmed" data-testid="waiting-empty">
          {t('incidents.waiting.empty')}
        </Text>
      ) : (
        <Table striped data-testid="waiting-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('incidents.coordination.thread')}</Table.Th>
              <Table.Th>{t('incidents.coordination.party')}</Table.Th>
              <Table.Th>{t('incidents.coordination.state')}</Table.Th>
              <Table.Th>{t('incidents.coordination.sentAt')}</Table.Th>
              <Table.Th>{t('incidents.coordination.nextReminder')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.map((c) => (
              <Table.Tr key={c.id} data-testid="waiting-row" data-overdue={overdue(c) ? 'true' : 'false'} data-thread-key={c.threadKey}>
                <Table.Td>
                  <AnchorLink to="/incidents/$incidentId" params={{ incidentId: c.incidentId }} ff="monospace" size="sm">
                    {c.threadKey}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{c.contactName ?? '—'}</Text>
                  <Text size="xs" c="dimmed">
                    {c.contactEmail}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <CoordinationStateBadge state={c.state} />
                  {c.remindersSent > 0 && (
                    <Text size="xs" c="dimmed">
                      {t('incidents.coordination.reminders', { count: c.remindersSent })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{c.sentAt ? <DateTime value={c.sentAt} /> : '—'}</Table.Td>
                <Table.Td>
                  {c.nextReminderAt ? (
                    <Group gap={4}>
                      <Text size="sm" c={overdue(c) ? 'red' : undefined}>
                        <DateTime value={c.nextReminderAt} />
                      </Text>
                      {overdue(c) && (
                        <Badge color="red" size="xs">
                          {t('incidents.waiting.overdue')}
                        </Badge>
                      )}
                    </Group>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
