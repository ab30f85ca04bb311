import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { useChangedCases } from '../api/case-messages.ts';
import { CaseStatusBadge } from './case-badges.tsx';

/** "Changed since my last visit": the cases with news for the viewer, newest change first; opening one marks it seen. */
export function ChangedCasesPage() {
  const { t, i18n } = useTranslation();
  useDocumentTitle(`${t('changedCases.title')} · Renkei`);
  const query = useChangedCases();
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            {t('changedCases.title')}
          </Title>
          <Text c="dimmed" size="sm" mt={4}>
            {t('changedCases.intro')}
          </Text>
        </div>
        <Button variant="default" size="xs" onClick={() => void query.refetch()} loading={query.isRefetching} data-testid="changed-refresh">
          {t('vulnerabilities.refresh')}
        </Button>
      </Group>
      <QueryView query={query}>
        {(cases) =>
          cases.length === 0 ? (
            <Text c="dimmed" data-testid="changed-empty">
              {t('changedCases.empty')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped highlightOnHover data-testid="changed-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('changedCases.reference')}</Table.Th>
                    <Table.Th>{t('changedCases.caseTitle')}</Table.Th>
                    <Table.Th>{t('changedCases.status')}</Table.Th>
                    <Table.Th>{t('changedCases.changed')}</Table.Th>
                    <Table.Th>{t('changedCases.lastVisit')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {cases.map((c) => (
                    <Table.Tr key={c.id} data-testid="changed-row" data-reference={c.reference}>
                      <Table.Td>
                        <AnchorLink to="/cases/$caseId" params={{ caseId: c.id }} ff="monospace" data-testid="changed-link">
                          {c.reference}
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word' }}>{i18n.language === 'ja' && c.titleJa ? c.titleJa : c.title}</Table.Td>
                      <Table.Td>
                        <CaseStatusBadge status={c.status} />
                      </Table.Td>
                      <Table.Td>
                        <DateTime value={c.modifiedAt} />
                      </Table.Td>
                      <Table.Td>{c.seenAt ? <DateTime value={c.seenAt} /> : t('changedCases.neverOpened')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </Stack>
  );
}
