import { Badge, Group, Table, Text } from '@mantine/core';
import type { LookupAnswer } from '@renkei/contract';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Sourced = { value: unknown; source: string | null; date: string | null; confidence: 'high' | 'medium' | 'low' | null };
const CONFIDENCE_COLOR = { high: 'green', medium: 'yellow', low: 'gray' } as const;

/** The lookup answers for a report's hosts, each field with its source, date and confidence. */
export function LookupAnswers({ answers }: { answers: readonly LookupAnswer[] }) {
  const { t } = useTranslation();
  if (answers.length === 0) return <Text c="dimmed" size="sm">{t('incidents.report.noLookup')}</Text>;
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table withTableBorder striped verticalSpacing="xs" data-testid="lookup-answers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('incidents.lookup.host')}</Table.Th>
            <Table.Th>{t('incidents.lookup.prefix')}</Table.Th>
            <Table.Th>{t('incidents.lookup.asn')}</Table.Th>
            <Table.Th>{t('incidents.lookup.country')}</Table.Th>
            <Table.Th>{t('incidents.lookup.organisation')}</Table.Th>
            <Table.Th>{t('incidents.lookup.abuseContact')}</Table.Th>
            <Table.Th>{t('incidents.lookup.nationalCsirt')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {answers.map((answer, i) => (
            <Table.Tr key={i} data-testid="lookup-answer">
              <Table.Td>
                <Text size="sm" ff="monospace" fw={600} style={{ wordBreak: 'break-all' }}>
                  {answer.display ?? answer.input}
                </Text>
                {answer.normalized && answer.display !== answer.normalized && (
                  <Text size="xs" c="dimmed" ff="monospace">
                    {answer.normalized}
                  </Text>
                )}
                {answer.note && <Text size="xs" c="dimmed">{answer.note}</Text>}
                {answer.error && <Text size="xs" c="red">{answer.error}</Text>}
              </Table.Td>
              <Cell field={answer.prefix}>{answer.prefix.value}</Cell>
              <Cell field={answer.asn}>
                {answer.asn.value !== null && `AS${answer.asn.value}`}
                {answer.asName.value && (
                  <Text size="xs" span display="block">
                    {answer.asName.value}
                  </Text>
                )}
              </Cell>
              <Cell field={answer.country}>{answer.country.value}</Cell>
              <Cell field={answer.organisation}>{answer.organisation.value?.name}</Cell>
              <Cell field={answer.abuseContact}>{answer.abuseContact.value}</Cell>
              <Cell field={answer.nationalCsirt}>{answer.nationalCsirt.value && `${answer.nationalCsirt.value.name} (${answer.nationalCsirt.value.country})`}</Cell>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Cell({ field, children }: { field: Sourced; children: ReactNode }) {
  const { t } = useTranslation();
  if (field.value === null) {
    return (
      <Table.Td>
        <Text size="sm" c="dimmed">
          —
        </Text>
      </Table.Td>
    );
  }
  return (
    <Table.Td>
      <Text size="sm" component="div" style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
      <Group gap={4} mt={2} wrap="nowrap" align="flex-start">
        {field.confidence && (
          <Badge size="xs" variant="light" color={CONFIDENCE_COLOR[field.confidence]} style={{ flexShrink: 0 }}>
            {t(`lookup.confidence.${field.confidence}`)}
          </Badge>
        )}
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }} data-testid="lookup-source">
          {field.source}
          {field.date ? ` · ${field.date.slice(0, 10)}` : ''}
        </Text>
      </Group>
    </Table.Td>
  );
}
