import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { type OrganisationDetail, TLP_COLOURS, tlpLabel } from '@renkei/contract';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { AnchorLink, ButtonLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { useDeleteNetwork, useDeletePerson, useOrganisation } from '../api/contacts.ts';
import { useCanEditDirectory } from '../hooks/use-can-edit-directory.ts';
import { AddNetworkForm, AddPersonForm, RemoveButton } from './directory-editing.tsx';
import { OrganisationForm } from './organisation-form.tsx';
import { AddressWithDelivery, deliveryMap } from './delivery-status.tsx';
import { Fingerprint, KeyHealth } from './key-health.tsx';

/** One organisation: its contact facts, people, networks and PGP keys with their health. */
export function OrganisationPage({ organisationId }: { organisationId: string }) {
  return <QueryView query={useOrganisation(organisationId)}>{(detail) => <OrganisationView key={organisationId} detail={detail} />}</QueryView>;
}

function OrganisationView({ detail }: { detail: OrganisationDetail }) {
  const { t, i18n } = useTranslation();
  const [editing, setEditing] = useState(false);
  const canEdit = useCanEditDirectory();
  const { organisation: org, people, networks, keys } = detail;
  const delivery = deliveryMap(detail.deliveryStatus);
  const ja = i18n.language === 'ja';
  const website = org.website && /^https?:\/\//i.test(org.website) ? org.website : null;

  return (
    <Stack gap="md" maw={1100} data-testid="organisation-page">
      <AnchorLink to="/contacts" size="sm">
        ← {t('contacts.directory.title')}
      </AnchorLink>
      <Group justify="space-between" align="flex-start">
        <Group gap="sm" align="baseline">
          <Title order={1} size="h2" data-testid="organisation-name">
            {ja && org.nameJa ? org.nameJa : org.name}
          </Title>
          {ja && org.nameJa ? <Text c="dimmed">{org.name}</Text> : org.nameJa && <Text c="dimmed">{org.nameJa}</Text>}
        </Group>
        {canEdit && !editing && (
          <Button size="xs" variant="light" onClick={() => setEditing(true)} data-testid="organisation-edit">
            {t('contacts.edit.editOrganisation')}
          </Button>
        )}
      </Group>
      {canEdit && editing && (
        <Section title={t('contacts.edit.editOrganisation')} testId="organisation-edit-section">
          <OrganisationForm organisation={org} onSaved={() => setEditing(false)} onCancel={() => setEditing(false)} />
        </Section>
      )}
      <Group gap="xs">
        <Badge variant="light">{t(`contacts.kinds.${org.kind}`)}</Badge>
        {org.isNationalCsirt && <Badge variant="filled">{t('contacts.fields.nationalCsirt')}</Badge>}
        <Badge styles={{ root: { background: '#000', color: TLP_COLOURS[org.tlpCeiling], textTransform: 'none' } }} data-testid="tlp-ceiling">
          {t('contacts.fields.tlpCeiling')}: {tlpLabel(org.tlpCeiling)}
        </Badge>
        <Badge color={org.pgpPolicy === 'required' ? 'red' : 'gray'} variant="light" data-testid="pgp-policy">
          {t(`contacts.pgpPolicies.${org.pgpPolicy}`)}
        </Badge>
      </Group>

      <Paper withBorder p="md" radius="md">
        <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 16px', margin: 0 }}>
          <Fact label={t('contacts.fields.contactEmail')}>
            <AddressWithDelivery address={org.contactEmail} statuses={delivery} />
          </Fact>
          <Fact label={t('contacts.fields.contactPhone')}>{org.contactPhone ?? '—'}</Fact>
          <Fact label={t('contacts.fields.website')}>
            {website ? (
              <Anchor href={website} target="_blank" rel="noopener noreferrer">
                {website}
              </Anchor>
            ) : (
              (org.website ?? '—')
            )}
          </Fact>
          <Fact label={t('contacts.fields.country')}>{org.country ?? '—'}</Fact>
          <Fact label={t('contacts.fields.languages')}>{org.languages.join(', ') || '—'}</Fact>
          <Fact label={t('contacts.fields.timeZone')}>{org.timeZone ?? '—'}</Fact>
          <Fact label={t('contacts.fields.preferredFormat')}>{t(`contacts.formats.${org.preferredFormat}`)}</Fact>
          <Fact label={t('contacts.fields.contactConfirmedAt')}>
            {org.contactConfirmedAt ? <DateTime value={org.contactConfirmedAt} /> : t('contacts.fields.neverConfirmed')}
          </Fact>
          {org.notes && (
            <Fact label={t('contacts.fields.notes')}>
              <span style={{ whiteSpace: 'pre-wrap' }}>{org.notes}</span>
            </Fact>
          )}
        </dl>
      </Paper>

      <Title order={2} size="h4">
        {t('contacts.people.title')}
      </Title>
      <PeopleTable people={people} delivery={delivery} canEdit={canEdit} />

      {canEdit && <AddPersonForm organisationId={org.id} />}

      <Title order={2} size="h4">
        {t('contacts.networks.title')}
      </Title>
      <NetworksTable networks={networks} fallbackEmail={org.contactEmail} delivery={delivery} canEdit={canEdit} />

      {canEdit && <AddNetworkForm organisationId={org.id} />}

      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('contacts.keys.title')}
        </Title>
        <ButtonLink to="/contacts/keys" search={{ organisationId: org.id }} size="xs" variant="light" data-testid="import-key-for-organisation">
          {t('contacts.keys.import')}
        </ButtonLink>
      </Group>
      {keys.length === 0 ? <Text c="dimmed">{t('contacts.keys.none')}</Text> : <KeyTable keys={keys} />}
    </Stack>
  );
}

type Delivery = ReturnType<typeof deliveryMap>;

/** The organisation's people and role addresses, each address with what DSNs said about it. */
function PeopleTable({ people, delivery, canEdit }: { people: OrganisationDetail['people']; delivery: Delivery; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const ja = i18n.language === 'ja';
  const removePerson = useDeletePerson();
  return people.length === 0 ? (
    <Text c="dimmed">{t('contacts.people.none')}</Text>
  ) : (
    <Table data-testid="people">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('contacts.fields.name')}</Table.Th>
          <Table.Th>{t('contacts.people.roleTitle')}</Table.Th>
          <Table.Th>{t('contacts.fields.contactEmail')}</Table.Th>
          <Table.Th>{t('contacts.fields.contactPhone')}</Table.Th>
          <Table.Th>{t('contacts.people.emergencyPhone')}</Table.Th>
          {canEdit && <Table.Th aria-label={t('contacts.edit.remove')} />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {people.map((person) => (
          <Table.Tr key={person.id} data-testid="person-row">
            <Table.Td>
              <AnchorLink to="/contacts/people/$personId" params={{ personId: person.id }} data-testid="person-link">
                {ja && person.nameJa ? person.nameJa : person.name}
              </AnchorLink>
              {person.isRoleAddress && (
                <Badge ml="xs" size="xs" variant="outline">
                  {t('contacts.people.roleAddress')}
                </Badge>
              )}
            </Table.Td>
            <Table.Td>{person.roleTitle ?? ''}</Table.Td>
            <Table.Td>
              <AddressWithDelivery address={person.email} statuses={delivery} />
            </Table.Td>
            <Table.Td>{person.phone ?? '—'}</Table.Td>
            <Table.Td>{person.emergencyPhone ?? '—'}</Table.Td>
            {canEdit && (
              <Table.Td>
                <RemoveButton testId="remove-person" onConfirm={() => removePerson.mutateAsync(person.id)} />
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The networks the organisation answers for, each with its abuse address (else the organisation's). */
function NetworksTable({
  networks,
  fallbackEmail,
  delivery,
  canEdit,
}: {
  networks: OrganisationDetail['networks'];
  fallbackEmail: string | null;
  delivery: Delivery;
  canEdit: boolean;
}) {
  const { t } = useTranslation();
  const removeNetwork = useDeleteNetwork();
  return networks.length === 0 ? (
    <Text c="dimmed">{t('contacts.networks.none')}</Text>
  ) : (
    <Table data-testid="networks">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('contacts.networks.kind')}</Table.Th>
          <Table.Th>{t('contacts.networks.value')}</Table.Th>
          <Table.Th>{t('contacts.networks.abuseEmail')}</Table.Th>
          {canEdit && <Table.Th aria-label={t('contacts.edit.remove')} />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {networks.map((network) => (
          <Table.Tr key={network.id} data-testid="network-row">
            <Table.Td>{t(`contacts.networks.kinds.${network.kind}`)}</Table.Td>
            <Table.Td>
              <code>{network.kind === 'asn' ? `AS${network.value}` : network.value}</code>
            </Table.Td>
            <Table.Td>
              <AddressWithDelivery address={network.abuseEmail ?? fallbackEmail} statuses={delivery} />
            </Table.Td>
            {canEdit && (
              <Table.Td>
                <RemoveButton testId="remove-network" onConfirm={() => removeNetwork.mutateAsync(network.id)} />
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <Text component="dt" size="sm" fw={500}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0}>
        {children}
      </Text>
    </>
  );
}

/** Keys with fingerprint, user IDs, algorithm, expiry and health. */
export function KeyTable({ keys }: { keys: OrganisationDetail['keys'] }) {
  const { t } = useTranslation();
  return (
    <Table data-testid="keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('contacts.keys.fingerprint')}</Table.Th>
          <Table.Th>{t('contacts.keys.userIds')}</Table.Th>
          <Table.Th>{t('contacts.keys.algorithm')}</Table.Th>
          <Table.Th>{t('contacts.keys.expires')}</Table.Th>
          <Table.Th>{t('contacts.keys.health.title')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {keys.map((key) => (
          <Table.Tr key={key.id} data-testid="key-row">
            <Table.Td>
              <Fingerprint value={key.fingerprint} />
            </Table.Td>
            <Table.Td>
              {key.userIds.map((userId) => (
                <div key={userId}>{userId}</div>
              ))}
            </Table.Td>
            <Table.Td>
              {key.algorithm}
              {key.bits ? ` ${key.bits}` : ''}
            </Table.Td>
            <Table.Td>{key.expiresAt ? <DateTime value={key.expiresAt} /> : t('contacts.keys.never')}</Table.Td>
            <Table.Td>
              <KeyHealth warnings={key.warnings} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
