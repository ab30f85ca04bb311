import { Button, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { type CaseTimelineEntry, useCaseTimeline } from '../api/case-timeline.ts';
import type { CaseDetail } from '../api/vulnerabilities.ts';

/** Entries shown before "show all": the latest are what a coordinator looks for. */
const FIRST_ENTRIES = 15;

/** The case's timeline for the team: what happened, when, by whom, about which participant. */
export function CaseTimelinePanel({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const query = useCaseTimeline(detail.id, detail.modifiedAt);
  const [all, setAll] = useState(false);
  return (
    <Section title={t('vulnerabilities.timeline.title')} testId="timeline-panel">
      <QueryView query={query}>
        {({ items, truncated }) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table striped data-testid="timeline">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('vulnerabilities.timeline.at')}</Table.Th>
                    <Table.Th>{t('vulnerabilities.timeline.event')}</Table.Th>
                    <Table.Th>{t('vulnerabilities.timeline.participant')}</Table.Th>
                    <Table.Th>{t('vulnerabilities.timeline.by')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {(all ? items : items.slice(0, FIRST_ENTRIES)).map((entry) => (
                    <Table.Tr key={entry.id} data-testid="timeline-entry" data-kind={entry.kind}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <DateTime value={entry.at} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{t(`vulnerabilities.timeline.kinds.${entry.kind}`, { defaultValue: entry.kind })}</Text>
                        {facts(entry) && (
                          <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }}>
                            {facts(entry)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{entry.organisationName ?? ''}</Table.Td>
                      <Table.Td>{entry.actorName ?? t('vulnerabilities.timeline.system')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {!all && items.length > FIRST_ENTRIES && (
              <Button size="xs" variant="subtle" onClick={() => setAll(true)} data-testid="timeline-all">
                {t('vulnerabilities.timeline.showAll', { count: items.length })}
              </Button>
            )}
            {all && truncated && (
              <Text size="xs" c="dimmed">
                {t('vulnerabilities.timeline.truncated')}
              </Text>
            )}
          </>
        )}
      </QueryView>
    </Section>
  );
}

/** The event's own facts as one line of text (never markup): "revision: 2 · channel: phone". */
function facts(entry: CaseTimelineEntry): string {
  const parts = Object.entries(entry.detail).flatMap(([key, value]) =>
    value === null || value === undefined || typeof value === 'object' ? [] : [`${key}: ${String(value as string | number | boolean)}`],
  );
  const line = parts.join(' · ');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
