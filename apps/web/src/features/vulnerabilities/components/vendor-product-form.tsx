import { Alert, Button, Group, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useOrganisationSearch } from '../../contacts/api/contacts.ts';
import { type VendorProduct, useCreateVendorProduct, useUpdateVendorProduct } from '../api/back-office.ts';
import { type EntryList, PRODUCT_LIMITS, readEntries } from '../entry-lists.ts';

type ListField = keyof typeof PRODUCT_LIMITS;
const LIST_FIELDS: readonly ListField[] = ['aliases', 'cpes', 'purls', 'keywords'];

/**
 * Adds a product to the registry, or changes one (`product` given): the vendor from the directory (on
 * adding only), name, aliases, CPE 2.3 names and package URLs one a line, keywords. The server parses
 * every CPE and purl and answers `invalid_cpe` / `invalid_purl` naming the entry, shown here translated.
 * A vendor's user (`ownOrganisation`) adds to its own organisation and picks no vendor.
 */
export function VendorProductForm({ product, ownOrganisation, onDone }: { product: VendorProduct | null; ownOrganisation: boolean; onDone: () => void }) {
  const { t } = useTranslation();
  const create = useCreateVendorProduct();
  const update = useUpdateVendorProduct();
  const mutation = product ? update : create;
  const [vendorId, setVendorId] = useState<string | null>(null);
  const [listProblem, setListProblem] = useState<string | null>(null);
  const form = useForm({
    initialValues: {
      name: product?.name ?? '',
      aliases: product?.aliases.join('\n') ?? '',
      cpes: product?.cpes.join('\n') ?? '',
      purls: product?.purls.join('\n') ?? '',
      keywords: product?.keywords.join(', ') ?? '',
    },
    validate: { name: (value) => (value.trim() === '' ? t('backOffice.products.nameRequired') : null) },
  });

  const describe = (field: ListField, list: EntryList) =>
    list.ok
      ? null
      : list.problem === 'too_many'
        ? t('backOffice.products.tooMany', { field: t(`backOffice.products.${field}`), max: PRODUCT_LIMITS[field].maxItems })
        : t('backOffice.products.tooLong', { field: t(`backOffice.products.${field}`), max: PRODUCT_LIMITS[field].maxLength, entry: list.entry });

  const submit = form.onSubmit((values) => {
    const lists: Partial<Record<ListField, string[]>> = {};
    for (const field of LIST_FIELDS) {
      const list = readEntries(values[field], PRODUCT_LIMITS[field]);
      if (!list.ok) return setListProblem(describe(field, list));
      lists[field] = list.entries;
    }
    setListProblem(null);
    if (product) {
      update.mutate({ productId: product.id, changes: { name: values.name.trim(), ...lists } }, { onSuccess: onDone });
      return;
    }
    // A vendor's user adds to its own organisation: the server takes it from the membership.
    if (ownOrganisation) return create.mutate({ name: values.name.trim(), ...lists }, { onSuccess: onDone });
    if (!vendorId) return setListProblem(t('backOffice.products.vendorRequired'));
    create.mutate({ organisationId: vendorId, name: values.name.trim(), ...lists }, { onSuccess: onDone });
  });

  return (
    <form onSubmit={submit} data-testid="product-form">
      <Stack gap="sm">
        {product ? (
          <TextInput label={t('backOffice.products.vendor')} value={product.vendorName} readOnly />
        ) : (
          !ownOrganisation && <VendorPicker value={vendorId} onChange={setVendorId} />
        )}
        <TextInput label={t('backOffice.products.name')} required maxLength={300} data-testid="product-name-input" {...form.getInputProps('name')} />
        <Textarea
          label={t('backOffice.products.aliases')}
          description={t('backOffice.products.oneALine')}
          autosize
          minRows={1}
          maxRows={4}
          data-testid="product-aliases"
          {...form.getInputProps('aliases')}
        />
        <Textarea
          label={t('backOffice.products.cpes')}
          description={t('backOffice.products.cpesHelp')}
          placeholder="cpe:2.3:h:acme:router:*:*:*:*:*:*:*:*"
          autosize
          minRows={2}
          maxRows={8}
          ff="monospace"
          data-testid="product-cpes"
          {...form.getInputProps('cpes')}
        />
        <Textarea
          label={t('backOffice.products.purls')}
          description={t('backOffice.products.purlsHelp')}
          placeholder="pkg:npm/acme-router"
          autosize
          minRows={1}
          maxRows={8}
          ff="monospace"
          data-testid="product-purls"
          {...form.getInputProps('purls')}
        />
        <TextInput
          label={t('backOffice.products.keywords')}
          description={t('backOffice.products.keywordsHelp')}
          data-testid="product-keywords"
          {...form.getInputProps('keywords')}
        />
        {listProblem && (
          <Alert color="red" variant="light" data-testid="product-list-problem">
            {listProblem}
          </Alert>
        )}
        {mutation.error !== null && <ErrorAlert error={mutation.error} onClose={mutation.reset} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('vulnerabilities.cancel')}
          </Button>
          <Button type="submit" loading={mutation.isPending} data-testid="product-save">
            {t('backOffice.products.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The vendor from the directory (organisations of kind vendor), searched as one types. */
function VendorPicker({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const found = useOrganisationSearch({ q: debounced, kind: 'vendor' });
  const data = debounced === '' ? [] : (found.data?.items ?? []).slice(0, 20).map((o) => ({ value: o.id, label: o.name }));
  return (
    <Select
      label={t('backOffice.products.vendor')}
      description={t('backOffice.products.vendorHelp')}
      required
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      data={data}
      value={value}
      onChange={onChange}
      filter={({ options }) => options}
      nothingFoundMessage={debounced === '' ? undefined : t('vulnerabilities.participants.noVendor')}
      data-testid="product-vendor"
    />
  );
}
