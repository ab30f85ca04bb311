import { Alert, Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { type PersonDetail, usePerson } from '../api/contacts.ts';
import { AddressWithDelivery, deliveryMap } from './delivery-status.tsx';
import { KeyTable } from './organisation-page.tsx';

/** One person or role address (`/contacts/people/:id`): names, role, address with delivery status, phones, languages, keys with health. */
export function PersonPage({ personId }: { personId: string }) {
  return <QueryView query={usePerson(personId)}>{(detail) => <PersonView detail={detail} />}</QueryView>;
}

function PersonView({ detail }: { detail: PersonDetail }) {
  const { t, i18n } = useTranslation();
  const { person, organisation: org, keys } = detail;
  const ja = i18n.language === 'ja';
  const delivery = deliveryMap(detail.deliveryStatus);
  const mainName = ja && person.nameJa ? person.nameJa : person.name;
  const otherName = ja && person.nameJa ? person.name : person.nameJa;

  return (
    <Stack gap="md" maw={1100} data-testid="person-page">
      <AnchorLink to="/contacts/organisations/$organisationId" params={{ organisationId: org.id }} size="sm" data-testid="person-organisation">
        ← {ja && org.nameJa ? org.nameJa : org.name}
      </AnchorLink>
      <Group gap="sm" align="baseline">
        <Title order={1} size="h2" data-testid="person-name">
          {mainName}
        </Title>
        {otherName && <Text c="dimmed">{otherName}</Text>}
        {person.isRoleAddress && (
          <Badge variant="outline" data-testid="person-role-address">
            {t('contacts.people.roleAddress')}
          </Badge>
        )}
      </Group>

      {person.emergencyPhone && (
        <Alert color="red" variant="light" title={t('contacts.people.emergencyPhone')} data-testid="person-emergency-phone">
          <Anchor href={`tel:${person.emergencyPhone.replace(/[^0-9+]/g, '')}`} fw={600}>
            {person.emergencyPhone}
          </Anchor>
        </Alert>
      )}

      <Paper withBorder p="md" radius="md">
        <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 16px', margin: 0 }}>
          <Fact label={t('contacts.people.roleTitle')}>{person.roleTitle ?? '—'}</Fact>
          <Fact label={t('contacts.fields.contactEmail')} testId="person-email">
            <AddressWithDelivery address={person.email} statuses={delivery} />
          </Fact>
          <Fact label={t('contacts.fields.contactPhone')} testId="person-phone">
            {person.phone ?? '—'}
          </Fact>
          <Fact label={t('contacts.fields.languages')}>{person.languages.join(', ') || '—'}</Fact>
          <Fact label={t('contacts.person.organisation')}>
            <AnchorLink to="/contacts/organisations/$organisationId" params={{ organisationId: org.id }}>
              {ja && org.nameJa ? org.nameJa : org.name}
            </AnchorLink>
          </Fact>
          {person.notes && (
            <Fact label={t('contacts.fields.notes')}>
              <span style={{ whiteSpace: 'pre-wrap' }}>{person.notes}</span>
            </Fact>
          )}
        </dl>
      </Paper>

      <Title order={2} size="h4">
        {t('contacts.keys.title')}
      </Title>
      {keys.length === 0 ? <Text c="dimmed">{t('contacts.keys.none')}</Text> : <KeyTable keys={keys} />}
    </Stack>
  );
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <Text component="dt" size="sm" fw={500}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0} data-testid={testId}>
        {children}
      </Text>
    </>
  );
}
