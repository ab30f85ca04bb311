import { Button, Checkbox, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { LookupAnswer } from '@renkei/contract';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { LookupAnswersTable } from '../../../components/lookup-answers-table.tsx';
import { LOOKUP_MAX_ITEMS, splitItems, useLookup } from '../api/lookup.ts';

/** Paste IPs, domains and URLs (defanged forms too); read who can act on each, with where every answer came from. */
export function LookupPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('lookup.pageTitle')} · Renkei`);
  const form = useForm({ mode: 'controlled', initialValues: { text: '', online: false } });
  const run = useLookup();
  const answers = run.data ?? null;
  const items = splitItems(form.values.text);
  const tooMany = items.length > LOOKUP_MAX_ITEMS;

  const submit = ({ online }: { online: boolean }) => {
    if (items.length === 0 || tooMany) return;
    run.mutate({ items, online });
  };

  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('lookup.pageTitle')}
      </Title>
      <form onSubmit={form.onSubmit(submit)}>
        <Stack gap="sm" maw={900}>
          <Textarea
            label={t('lookup.itemsLabel')}
            description={t('lookup.itemsHint', { max: LOOKUP_MAX_ITEMS.toLocaleString() })}
            autosize
            minRows={5}
            maxRows={16}
            {...form.getInputProps('text')}
            error={tooMany ? t('lookup.tooMany', { max: LOOKUP_MAX_ITEMS.toLocaleString() }) : undefined}
            styles={{ input: { fontFamily: 'monospace' } }}
            data-testid="lookup-items"
          />
          <Group>
            <Checkbox
              label={t('lookup.online')}
              description={t('lookup.onlineHint')}
              {...form.getInputProps('online', { type: 'checkbox' })}
              data-testid="lookup-online"
            />
          </Group>
          <Group>
            <Button type="submit" loading={run.isPending} disabled={items.length === 0 || tooMany} data-testid="lookup-submit">
              {t('lookup.submit', { count: items.length })}
            </Button>
          </Group>
        </Stack>
      </form>
      {run.error !== null && <ErrorAlert error={run.error} />}
      {answers && <Results answers={answers} />}
    </Stack>
  );
}

function Results({ answers }: { answers: LookupAnswer[] }) {
  const { t } = useTranslation();
  return (
    <LookupAnswersTable
      answers={answers}
      labels="lookup.columns"
      minWidth={1100}
      testId="lookup-results"
      rowTestId="lookup-row"
      renderInput={(answer) => (
        <>
          <Text size="sm" ff="monospace" fw={600}>
            {answer.kind === 'invalid' ? answer.input : answer.display}
          </Text>
          {answer.kind === 'domain' && answer.display !== answer.normalized && (
            <Text size="xs" c="dimmed" ff="monospace">
              {answer.normalized}
            </Text>
          )}
          {answer.kind !== 'invalid' && answer.input.trim() !== answer.normalized && answer.input.trim() !== answer.display && (
            <Text size="xs" c="dimmed" ff="monospace">
              ← {answer.input.trim()}
            </Text>
          )}
          {answer.note && (
            <Text size="xs" c="dimmed">
              {answer.note}
            </Text>
          )}
          {answer.error && (
            <Text size="xs" c="red" data-testid="lookup-error">
              {answer.error}
            </Text>
          )}
          {answer.online.map((o) => (
            <Text key={o.source} size="xs" c={o.status === 'unanswered' || o.status === 'failed' ? 'orange' : 'dimmed'}>
              {o.source}: {t(`lookup.status.${o.status}`)}
            </Text>
          ))}
        </>
      )}
      renderNationalCsirt={(csirt) => (
        <>
          {csirt.name}
          {csirt.email && (
            <Text size="xs" span display="block">
              {csirt.email}
            </Text>
          )}
        </>
      )}
    />
  );
}
