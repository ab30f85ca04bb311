import { Text } from '@mantine/core';
import type { LookupAnswer } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { LookupAnswersTable } from '../../../components/lookup-answers-table.tsx';

/** The lookup answers for a report's hosts, each field with its source, date and confidence. */
export function LookupAnswers({ answers }: { answers: readonly LookupAnswer[] }) {
  const { t } = useTranslation();
  if (answers.length === 0)
    return (
      <Text c="dimmed" size="sm">
        {t('incidents.report.noLookup')}
      </Text>
    );
  return (
    <LookupAnswersTable
      answers={answers}
      labels="incidents.lookup"
      minWidth={1000}
      testId="lookup-answers"
      rowTestId="lookup-answer"
      renderInput={(answer) => (
        <>
          <Text size="sm" ff="monospace" fw={600} style={{ wordBreak: 'break-all' }}>
            {answer.display ?? answer.input}
          </Text>
          {answer.normalized && answer.display !== answer.normalized && (
            <Text size="xs" c="dimmed" ff="monospace">
              {answer.normalized}
            </Text>
          )}
          {answer.note && (
            <Text size="xs" c="dimmed">
              {answer.note}
            </Text>
          )}
          {answer.error && (
            <Text size="xs" c="red">
              {answer.error}
            </Text>
          )}
        </>
      )}
      renderNationalCsirt={(csirt) => `${csirt.name} (${csirt.country})`}
    />
  );
}
