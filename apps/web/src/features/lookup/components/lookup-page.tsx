import { Badge, Button, Checkbox, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { LookupAnswer } from '@renkei/contract';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { LOOKUP_MAX_ITEMS, lookup, splitItems } from '../api/lookup.ts';

type Field = LookupAnswer['prefix'];

const CONFIDENCE_COLOR = { high: 'green', medium: 'yellow', low: 'gray' } as const;

/** Paste IPs, domains and URLs (defanged forms too); read who can act on each, with where every answer came from. */
export function LookupPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('lookup.pageTitle')} · Renkei`);
  const [text, setText] = useState('');
  const [online, setOnline] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [answers, setAnswers] = useState<LookupAnswer[] | null>(null);
  const items = splitItems(text);
  const tooMany = items.length > LOOKUP_MAX_ITEMS;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (items.length === 0 || tooMany) return;
    setBusy(true);
    setError(null);
    try {
      setAnswers(await lookup(items, online));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('lookup.pageTitle')}
      </Title>
      <form onSubmit={(event) => void submit(event)}>
        <Stack gap="sm" maw={900}>
          <Textarea
            label={t('lookup.itemsLabel')}
            description={t('lookup.itemsHint', { max: LOOKUP_MAX_ITEMS.toLocaleString() })}
            autosize
            minRows={5}
            maxRows={16}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            error={tooMany ? t('lookup.tooMany', { max: LOOKUP_MAX_ITEMS.toLocaleString() }) : undefined}
            styles={{ input: { fontFamily: 'monospace' } }}
            data-testid="lookup-items"
          />
          <Group>
            <Checkbox label={t('lookup.online')} description={t('lookup.onlineHint')} checked={online} onChange={(event) => setOnline(event.currentTarget.checked)} data-testid="lookup-online" />
          </Group>
          <Group>
            <Button type="submit" loading={busy} disabled={items.length === 0 || tooMany} data-testid="lookup-submit">
              {t('lookup.submit', { count: items.length })}
            </Button>
          </Group>
        </Stack>
      </form>
      {error !== null && <ErrorAlert error={error} />}
      {answers && <Results answers={answers} />}
    </Stack>
  );
}

function Results({ answers }: { answers: LookupAnswer[] }) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={1100}>
      <Table striped withTableBorder verticalSpacing="xs" data-testid="lookup-results">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('lookup.columns.input')}</Table.Th>
            <Table.Th>{t('lookup.columns.prefix')}</Table.Th>
            <Table.Th>{t('lookup.columns.asn')}</Table.Th>
            <Table.Th>{t('lookup.columns.country')}</Table.Th>
            <Table.Th>{t('lookup.columns.organisation')}</Table.Th>
            <Table.Th>{t('lookup.columns.abuseContact')}</Table.Th>
            <Table.Th>{t('lookup.columns.nationalCsirt')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {answers.map((answer, i) => (
            <Table.Tr key={i} data-testid="lookup-row">
              <Table.Td>
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
              <Cell field={answer.nationalCsirt}>
                {answer.nationalCsirt.value && (
                  <>
                    {answer.nationalCsirt.value.name}
                    {answer.nationalCsirt.value.email && (
                      <Text size="xs" span display="block">
                        {answer.nationalCsirt.value.email}
                      </Text>
                    )}
                  </>
                )}
              </Cell>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A value with its provenance underneath: source, date and a confidence badge. */
function Cell({ field, children }: { field: Field | LookupAnswer['asn'] | LookupAnswer['organisation'] | LookupAnswer['nationalCsirt']; children: ReactNode }) {
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
      <Text size="sm" component="div">
        {children}
      </Text>
      <Group gap={4} mt={2} align="flex-start" wrap="nowrap">
        {field.confidence && (
          <Badge size="xs" variant="light" color={CONFIDENCE_COLOR[field.confidence]} style={{ flexShrink: 0, overflow: 'visible' }}>
            {t(`lookup.confidence.${field.confidence}`)}
          </Badge>
        )}
        <Text size="xs" c="dimmed" title={field.source ?? undefined} style={{ wordBreak: 'break-all' }}>
          {field.source} · {field.date?.slice(0, 10)}
        </Text>
      </Group>
    </Table.Td>
  );
}
