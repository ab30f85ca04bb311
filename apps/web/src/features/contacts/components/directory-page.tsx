import { Anchor, Badge, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { ORGANISATION_KINDS, type OrganisationKind } from '@renkei/contract';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { linkProps, navigate, useLocation } from '../../../lib/navigation.ts';
import { type OrganisationPage, searchOrganisations } from '../api/contacts.ts';
import { useCanEditDirectory } from '../hooks/use-can-edit-directory.ts';

/** The directory: search by name, AS number, IP address, prefix, domain or e-mail address. */
export function DirectoryPage() {
  const { t, i18n } = useTranslation();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const kindParam = search.get('kind');
  const kind = (ORGANISATION_KINDS as readonly string[]).includes(kindParam ?? '') ? (kindParam as OrganisationKind) : null;
  const [text, setText] = useState(q);
  const [page, setPage] = useState<OrganisationPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const canEdit = useCanEditDirectory();

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setPage(await searchOrganisations({ q, kind }));
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }, [q, kind]);

  useEffect(() => {
    void load();
  }, [load]);

  const go = (nextQ: string, nextKind: string | null) => {
    const params = new URLSearchParams();
    if (nextQ.trim()) params.set('q', nextQ.trim());
    if (nextKind) params.set('kind', nextKind);
    const query = params.toString();
    navigate(`/contacts${query ? `?${query}` : ''}`);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    go(text, kind);
  };

  return (
    <Stack gap="md" maw={1100}>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('contacts.directory.title')}
        </Title>
        <Group gap="sm">
          {canEdit && (
            <>
              <Button component="a" {...linkProps('/contacts/new')} data-testid="new-organisation">
                {t('contacts.edit.newOrganisation')}
              </Button>
              <Button component="a" variant="light" {...linkProps('/contacts/import')} data-testid="open-csv-import">
                {t('contacts.import.title')}
              </Button>
            </>
          )}
          <Button component="a" variant="light" {...linkProps('/contacts/keys')} data-testid="open-keys">
            {t('contacts.keys.title')}
          </Button>
        </Group>
      </Group>
      <form onSubmit={submit} role="search">
        <Group align="flex-end" gap="sm">
          <TextInput
            label={t('contacts.directory.search')}
            description={t('contacts.directory.searchHint')}
            value={text}
            maxLength={200}
            onChange={(event) => setText(event.currentTarget.value)}
            style={{ flex: 1, minWidth: 240 }}
            data-testid="directory-search"
          />
          <Select
            label={t('contacts.fields.kind')}
            data={ORGANISATION_KINDS.map((value) => ({ value, label: t(`contacts.kinds.${value}`) }))}
            value={kind}
            onChange={(value) => go(text, value)}
            clearable
            placeholder={t('contacts.directory.anyKind')}
            w={180}
            data-testid="directory-kind"
          />
          <Button type="submit" loading={loading} data-testid="directory-submit">
            {t('contacts.directory.submit')}
          </Button>
        </Group>
      </form>
      {error !== null && <ErrorAlert error={error} onRetry={() => void load()} />}
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
                    <Anchor {...linkProps(`/contacts/organisation?id=${org.id}`)} data-testid="directory-result">
                      {i18n.language === 'ja' && org.nameJa ? org.nameJa : org.name}
                    </Anchor>
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
