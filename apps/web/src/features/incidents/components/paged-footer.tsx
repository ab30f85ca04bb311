import { Group, Pagination, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * Under a paged list: the total (as `children` say it) and the page picker, one page at least.
 * @example <PagedFooter total={page.total} pageSize={25} value={pageNumber} onChange={setPageNumber}>{t('incidents.list.total', { count: page.total })}</PagedFooter>
 */
export function PagedFooter({
  total,
  pageSize,
  value,
  onChange,
  children,
}: {
  total: number;
  pageSize: number;
  value: number;
  onChange: (page: number) => void;
  children: ReactNode;
}) {
  return (
    <Group justify="space-between">
      <Text size="sm" c="dimmed">
        {children}
      </Text>
      <Pagination total={Math.max(1, Math.ceil(total / pageSize))} value={value} onChange={onChange} size="sm" />
    </Group>
  );
}
