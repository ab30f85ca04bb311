import { Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDocumentTitle } from '@mantine/hooks';
import { CASE_STATUSES, type CaseStatus, isStaffRole } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { LoadingView } from '../../../components/query-view.tsx';
import { useMe } from '../../../lib/session.tsx';
import { PagedFooter } from '../../incidents/components/paged-footer.tsx';
import { useCases } from '../api/vulnerabilities.ts';
import { CaseStatusBadge, DaysLeft } from './case-badges.tsx';

const PAGE_SIZE = 50;

/** The case list: filter by status and text; a vendor's user sees only its shared cases, with its own tracking ID. */
export function CasesPage() {
  const { t, i18n } = useTranslation();
  useDocumentTitle(`${t('vulnerabilities.cases.title')} · Renkei`);
  const isStaff = useMe().roles.some((role) => isStaffRole(role));
  const [status, setStatus] = useState<CaseStatus | null>(null);
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 300);
  const [pageNumber, setPageNumber] = useState(1);
  const query = useCases({ status, q: debounced, offset: (pageNumber - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const page = query.data ?? null;

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('vulnerabilities.cases.title')}
      </Title>
      <Group gap="sm" align="flex-end">
        <Select
          label={t('vulnerabilities.cases.status')}
          placeholder={t('vulnerabilities.cases.allStatuses')}
          data={CASE_STATUSES.map((value) => ({ value, label: t(`vulnerabilities.caseStatus.${value}`) }))}
          value={status}
          clearable
          onChange={(value) => {
            setStatus(CASE_STATUSES.find((s) => s === value) ?? null);
            setPageNumber(1);
          }}
          data-testid="cases-status"
          w={200}
        />
        <TextInput
          label={t('vulnerabilities.cases.search')}
          placeholder={t('vulnerabilities.cases.searchPlaceholder')}
          value={q}
          maxLength={200}
          onChange={(event) => {
            setQ(event.currentTarget.value);
            setPageNumber(1);
          }}
          data-testid="cases-search"
          w={320}
        />
      </Group>
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {page === null ? (
        query.error === null && <LoadingView />
      ) : page.items.length === 0 ? (
        <Text c="dimmed" data-testid="cases-empty">
          {t('vulnerabilities.cases.empty')}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={1000}>
            <Table striped highlightOnHover data-testid="cases-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('vulnerabilities.cases.reference')}</Table.Th>
                  {!isStaff && <Table.Th>{t('vulnerabilities.case.trackingId')}</Table.Th>}
                  <Table.Th>{t('vulnerabilities.cases.caseTitle')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.cases.status')}</Table.Th>
                  {isStaff && <Table.Th>{t('vulnerabilities.cases.vendors')}</Table.Th>}
                  <Table.Th>{t('vulnerabilities.cases.vulnerabilities')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.case.embargo')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.case.target')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.cases.modified')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((c) => (
                  <Table.Tr key={c.id} data-testid="case-row" data-reference={c.reference}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <AnchorLink to="/cases/$caseId" params={{ caseId: c.id }} ff="monospace" size="sm" data-testid="case-open">
                        {c.reference}
                      </AnchorLink>
                      {c.publicId && (
                        <Text size="xs" c="dimmed" ff="monospace">
                          {c.publicId}
                        </Text>
                      )}
                    </Table.Td>
                    {!isStaff && <Table.Td data-testid="case-tracking-id">{c.vendorTrackingId ?? '—'}</Table.Td>}
                    <Table.Td maw={360}>
                      <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                        {i18n.language === 'ja' && c.titleJa ? c.titleJa : c.title}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <CaseStatusBadge status={c.status} />
                    </Table.Td>
                    {isStaff && <Table.Td>{c.vendorCount}</Table.Td>}
                    <Table.Td>{c.vulnerabilityCount}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.embargoUntil ? <DateTime value={c.embargoUntil} /> : '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {c.targetPublicationAt ? (
                        <Stack gap={0}>
                          <DateTime value={c.targetPublicationAt} />
                          {c.status !== 'published' && <DaysLeft until={c.targetPublicationAt} />}
                        </Stack>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <DateTime value={c.modifiedAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PagedFooter total={page.total} pageSize={PAGE_SIZE} value={pageNumber} onChange={setPageNumber}>
            {t('vulnerabilities.cases.total', { count: page.total })}
          </PagedFooter>
        </>
      )}
    </Stack>
  );
}
