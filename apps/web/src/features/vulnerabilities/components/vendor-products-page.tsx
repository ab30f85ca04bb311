import { Badge, Button, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDocumentTitle } from '@mantine/hooks';
import { isStaffRole } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { LoadingView } from '../../../components/query-view.tsx';
import { useMe } from '../../../lib/session.tsx';
import { PagedFooter } from '../../incidents/components/paged-footer.tsx';
import { type VendorProduct, useDeleteVendorProduct, useVendorProducts } from '../api/back-office.ts';
import { isHandler } from '../labels.ts';
import { VendorProductForm } from './vendor-product-form.tsx';

const PAGE_SIZE = 50;

function Lines({ values, testId }: { values: readonly string[]; testId: string }) {
  if (values.length === 0) return <Text c="dimmed">—</Text>;
  return (
    <Stack gap={2} data-testid={testId}>
      {values.map((value) => (
        <Text key={value} size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {value}
        </Text>
      ))}
    </Stack>
  );
}

/**
 * The product-developer registry: every vendor's products with their CPE 2.3 names, package URLs and
 * keywords, searched by name; the team adds, changes and removes them. New cases get vendor proposals from it.
 */
export function VendorProductsPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('backOffice.products.title')} · Renkei`);
  const roles = useMe().roles;
  // The server lets a vendor's user read and change its own organisation's products only.
  const asVendor = !roles.some((role) => isStaffRole(role)) && roles.includes('vendor_user');
  const canWrite = isHandler(roles) || asVendor;
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 300);
  const [pageNumber, setPageNumber] = useState(1);
  const [editing, setEditing] = useState<VendorProduct | 'new' | null>(null);
  const query = useVendorProducts({ q: debounced, offset: (pageNumber - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const remove = useDeleteVendorProduct();
  // Removing asks twice: the first click turns the button into "really remove?".
  const [confirming, setConfirming] = useState<string | null>(null);
  const page = query.data ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            {t('backOffice.products.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('backOffice.products.help')}
          </Text>
        </div>
        {canWrite && (
          <Button onClick={() => setEditing('new')} data-testid="product-add">
            {t('backOffice.products.add')}
          </Button>
        )}
      </Group>
      <TextInput
        label={t('backOffice.products.search')}
        value={q}
        maxLength={200}
        onChange={(event) => {
          setQ(event.currentTarget.value);
          setPageNumber(1);
        }}
        data-testid="product-search"
        w={320}
      />
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {remove.error !== null && <ErrorAlert error={remove.error} onClose={remove.reset} />}
      {page === null ? (
        query.error === null && <LoadingView />
      ) : page.items.length === 0 ? (
        <Text c="dimmed" data-testid="products-empty">
          {t('backOffice.products.empty')}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={960}>
            <Table striped verticalSpacing="xs" data-testid="products-table">
              <Table.Thead style={{ whiteSpace: 'nowrap' }}>
                <Table.Tr>
                  <Table.Th>{t('backOffice.products.name')}</Table.Th>
                  <Table.Th>{t('backOffice.products.vendor')}</Table.Th>
                  <Table.Th>{t('backOffice.products.cpes')}</Table.Th>
                  <Table.Th>{t('backOffice.products.purls')}</Table.Th>
                  <Table.Th>{t('backOffice.products.keywords')}</Table.Th>
                  <Table.Th>{t('backOffice.products.updated')}</Table.Th>
                  {canWrite && <Table.Th />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((p) => (
                  <Table.Tr key={p.id} data-testid="product-row" data-name={p.name}>
                    <Table.Td maw={220} style={{ wordBreak: 'break-word' }}>
                      <Text size="sm" fw={500}>
                        {p.name}
                      </Text>
                      {p.aliases.length > 0 && (
                        <Text size="xs" c="dimmed">
                          {p.aliases.join(' / ')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td maw={180} style={{ wordBreak: 'break-word' }} data-testid="product-vendor-name">
                      {p.vendorName}
                    </Table.Td>
                    <Table.Td maw={320}>
                      <Lines values={p.cpes} testId="product-cpe-list" />
                    </Table.Td>
                    <Table.Td maw={240}>
                      <Lines values={p.purls} testId="product-purl-list" />
                    </Table.Td>
                    <Table.Td maw={220}>
                      <Group gap={4}>
                        {p.keywords.map((k) => (
                          <Badge key={k} variant="light" size="sm" tt="none">
                            {k}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <DateTime value={p.updatedAt} />
                    </Table.Td>
                    {canWrite && (
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <Group gap={4} wrap="nowrap">
                          <Button size="xs" variant="light" onClick={() => setEditing(p)} data-testid="product-edit">
                            {t('backOffice.products.edit')}
                          </Button>
                          <Button
                            size="xs"
                            color="red"
                            loading={remove.isPending && remove.variables === p.id}
                            variant={confirming === p.id ? 'filled' : 'subtle'}
                            onClick={() => (confirming === p.id ? remove.mutate(p.id) : setConfirming(p.id))}
                            onBlur={() => setConfirming((current) => (current === p.id ? null : current))}
                            data-testid="product-delete"
                          >
                            {t(confirming === p.id ? 'backOffice.products.confirmDelete' : 'backOffice.products.delete')}
                          </Button>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PagedFooter total={page.total} pageSize={PAGE_SIZE} value={pageNumber} onChange={setPageNumber}>
            {t('backOffice.products.total', { count: page.total })}
          </PagedFooter>
        </>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? t('backOffice.products.add') : t('backOffice.products.edit')}
        size="lg"
      >
        {editing !== null && <VendorProductForm product={editing === 'new' ? null : editing} ownOrganisation={asVendor} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
