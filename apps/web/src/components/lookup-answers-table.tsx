import { Badge, Group, Table, Text } from '@mantine/core';
import type { LookupAnswer } from '@renkei/contract';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Sourced = LookupAnswer['prefix'] | LookupAnswer['asn'] | LookupAnswer['organisation'] | LookupAnswer['nationalCsirt'];

const CONFIDENCE_COLOR = { high: 'green', medium: 'yellow', low: 'gray' } as const;

type LookupAnswersTableProps = {
  answers: readonly LookupAnswer[];
  /** Where the column headers' texts are: `${labels}.prefix`, `${labels}.asn`, …; the first column is `incidents.lookup.host` or `lookup.columns.input`. */
  labels: 'incidents.lookup' | 'lookup.columns';
  minWidth: number;
  testId: string;
  rowTestId: string;
  /** The first cell: what was looked up, as the caller shows it. */
  renderInput: (answer: LookupAnswer) => ReactNode;
  /** The national CSIRT cell's content (its provenance is added underneath). */
  renderNationalCsirt: (csirt: NonNullable<LookupAnswer['nationalCsirt']['value']>) => ReactNode;
};

/**
 * Lookup answers as a table, each field with its source, date and confidence underneath.
 * @example <LookupAnswersTable answers={answers} labels="lookup.columns" minWidth={1100} testId="lookup-results" rowTestId="lookup-row" renderInput={(a) => a.input} renderNationalCsirt={(c) => c.name} />
 */
export function LookupAnswersTable({ answers, labels, minWidth, testId, rowTestId, renderInput, renderNationalCsirt }: LookupAnswersTableProps) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table withTableBorder striped verticalSpacing="xs" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t(labels === 'incidents.lookup' ? 'incidents.lookup.host' : 'lookup.columns.input')}</Table.Th>
            <Table.Th>{t(`${labels}.prefix`)}</Table.Th>
            <Table.Th>{t(`${labels}.asn`)}</Table.Th>
            <Table.Th>{t(`${labels}.country`)}</Table.Th>
            <Table.Th>{t(`${labels}.organisation`)}</Table.Th>
            <Table.Th>{t(`${labels}.abuseContact`)}</Table.Th>
            <Table.Th>{t(`${labels}.nationalCsirt`)}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {answers.map((answer, i) => (
            <Table.Tr key={i} data-testid={rowTestId}>
              <Table.Td>{renderInput(answer)}</Table.Td>
              <ProvenanceCell field={answer.prefix}>{answer.prefix.value}</ProvenanceCell>
              <ProvenanceCell field={answer.asn}>
                {answer.asn.value !== null && `AS${answer.asn.value}`}
                {answer.asName.value && (
                  <Text size="xs" span display="block">
                    {answer.asName.value}
                  </Text>
                )}
              </ProvenanceCell>
              <ProvenanceCell field={answer.country}>{answer.country.value}</ProvenanceCell>
              <ProvenanceCell field={answer.organisation}>{answer.organisation.value?.name}</ProvenanceCell>
              <ProvenanceCell field={answer.abuseContact}>{answer.abuseContact.value}</ProvenanceCell>
              <ProvenanceCell field={answer.nationalCsirt}>{answer.nationalCsirt.value && renderNationalCsirt(answer.nationalCsirt.value)}</ProvenanceCell>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A value with its provenance underneath: a confidence badge, the source and its date. */
function ProvenanceCell({ field, children }: { field: Sourced; children: ReactNode }) {
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
          <Badge size="xs" variant="light" color={CONFIDENCE_COLOR[field.confidence]} style={{ flexShrink: 0, overflow: 'visible' }}>
            {t(`lookup.confidence.${field.confidence}`)}
          </Badge>
        )}
        <Text size="xs" c="dimmed" title={field.source ?? undefined} style={{ wordBreak: 'break-all' }} data-testid="lookup-source">
          {field.source}
          {field.date ? ` · ${field.date.slice(0, 10)}` : ''}
        </Text>
      </Group>
    </Table.Td>
  );
}
