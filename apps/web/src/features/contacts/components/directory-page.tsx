import { Badge, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { ORGANISATION_KINDS, type OrganisationKind } from '@renkei/contract';
import { useForm } from '@mantine/form';
import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink, ButtonLink } from '../../../components/links.tsx';
import { useOrganisationSearch } from '../api/contacts.ts';
import { useCanEditDirectory } from '../hooks/use-can-edit-directory.ts';

/** The directory: search by name, AS number, IP address, prefix, domain or e-mail address. */
export function DirectoryPage({ q, kind }: { q: string; kind: OrganisationKind | null }) {
  const { t, i18n } = useTranslation();
  const form = useForm({ mode: 'controlled', initialValues: { text: q } });
  const search = useOrganisationSearch({ q, kind });
  const page = search.data;
  const canEdit = useCanEditDirectory();
  const navigate = useNavigate();

  // The query lives in the URL, so a search can be reloaded, bookmarked and sent to a colleague.
  const go = (nextQ: string, nextKind: OrganisationKind | null) =>
    void navigate({ to: '/contacts', search: { q: nextQ.trim() || undefined, kind: nextKind ?? undefined } });

  return (
    <Stack gap="md" maw={1100}>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('contacts.directory.title')}
        </Title>
        <Group gap="sm">
          {canEdit && (
            <>
              <ButtonLink to="/contacts/new" data-testid="new-organisation">
                {t('contacts.edit.newOrganisation')}
              </ButtonLink>
              <ButtonLink to="/contacts/import" variant="light" data-testid="open-csv-import">
                {t('contacts.import.title')}
              </ButtonLink>
            </>
          )}
          <ButtonLink to="/contacts/keys" variant="light" data-testid="open-keys">
            {t('contacts.keys.title')}
          </ButtonLink>
        </Group>
      </Group>
      <form onSubmit={form.onSubmit(({ text }) => go(text, kind))} role="search">
        <Group align="flex-end" gap="sm">
          <TextInput
            label={t('contacts.directory.search')}
            description={t('contacts.directory.searchHint')}
            {...form.getInputProps('text')}
            maxLength={200}
            style={{ flex: 1, minWidth: 240 }}
            data-testid="directory-search"
          />
          <Select
            label={t('contacts.fields.kind')}
            data={ORGANISATION_KINDS.map((value) => ({ value, label: t(`contacts.kinds.${value}`) }))}
            value={kind}
            onChange={(value) => go(form.values.text, ORGANISATION_KINDS.find((k) => k === value) ?? null)}
            clearable
            placeholder={t('contacts.directory.anyKind')}
            w={180}
            data-testid="directory-kind"
          />
          <Button type="submit" loading={search.isFetching} data-testid="directory-submit">
            {t('contacts.directory.submit')}
          </Button>
        </Group>
      </form>
      {search.error !== null && <ErrorAlert error={search.error} onRetry={() => void search.refetch()} />}
      {page && (
        <>
          <Text size="sm" c="dimmed" data-testid="directory-total">
            {t('contacts.directory.total', { count: page.total })}
          </Text>
          <Table striped highlightOnHover data-testid="directory-results">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('contacts.fields.name')}</Table.Th>
                <Table.Th>{t('contacts.fields.kind')}</Table.Th>
                <Table.Th>{t('contacts.fields.country')}</Table.Th>
                <Table.Th>{t('contacts.fields.contactEmail')}</Table.Th>
                <Table.Th>{t('contacts.directory.matched')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.items.map((org) => (
                <Table.Tr key={org.id}>
                  <Table.Td>
                    <AnchorLink to="/contacts/organisations/$organisationId" params={{ organisationId: org.id }} data-testid="directory-result">
                      {i18n.language === 'ja' && org.nameJa ? org.nameJa : org.name}
                    </AnchorLink>
                    {org.isNationalCsirt && (
                      <Badge ml="xs" size="sm" variant="light">
                        {t('contacts.fields.nationalCsirt')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{t(`contacts.kinds.${org.kind}`)}</Table.Td>
                  <Table.Td>{org.country ?? '—'}</Table.Td>
                  <Table.Td>{org.contactEmail ?? '—'}</Table.Td>
                  <Table.Td>{org.matched ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {page.items.length === 0 && <Text data-testid="directory-empty">{t('contacts.directory.empty')}</Text>}
        </>
      )}
    </Stack>
  );
}
