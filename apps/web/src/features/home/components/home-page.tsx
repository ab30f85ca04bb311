import { Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { RoleName } from '../../../components/role-name.tsx';
import { useNow } from '../../../hooks/use-now.ts';
import { useMe } from '../../../lib/session.tsx';
import { isStaffRole } from '@renkei/contract';
import { AnchorLink } from '../../../components/links.tsx';
import { useChangedCases } from '../../vulnerabilities/api/case-messages.ts';

/** The landing page: who you are here. Work queues join it as their modules arrive. */
export function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  const now = useNow();
  useDocumentTitle(`${t('home.pageTitle')} · Renkei`);
  const seesCases = me.roles.some((role) => isStaffRole(role) || role === 'vendor_user' || role === 'partner');

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2" data-testid="home-welcome">
          {t('home.welcome', { name: me.displayName })}
        </Title>
        <Text c="dimmed" mt={4}>
          {t('home.intro')}
        </Text>
      </div>

      {seesCases && <ChangedCasesCard />}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="home-roles-title">
          <Title order={2} size="h4" id="home-roles-title" mb="sm">
            {t('home.rolesTitle')}
          </Title>
          {me.roles.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('home.noRoles')}
            </Text>
          ) : (
            <Group gap="xs" data-testid="home-roles">
              {me.roles.map((role) => (
                <Badge key={role} variant="light" size="lg" data-role={role}>
                  <RoleName role={role} />
                </Badge>
              ))}
            </Group>
          )}
        </Paper>

        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="home-time-title">
          <Title order={2} size="h4" id="home-time-title" mb="sm">
            {t('home.timeZoneTitle')}
          </Title>
          <Text fw={500} data-testid="home-time">
            <DateTime value={now} />
          </Text>
          <Text size="sm" c="dimmed" mt={4}>
            {t('home.timeZoneNote')}
          </Text>
        </Paper>
      </SimpleGrid>

      <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="home-memberships-title">
        <Title order={2} size="h4" id="home-memberships-title" mb="sm">
          {t('home.membershipsTitle')}
        </Title>
        {me.memberships.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('home.noMemberships')}
          </Text>
        ) : (
          <Table striped highlightOnHover data-testid="home-memberships">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('home.organisation')}</Table.Th>
                <Table.Th>{t('home.role')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {me.memberships.map((membership) => (
                <Table.Tr key={`${membership.organisationId}:${membership.role}`}>
                  <Table.Td>{membership.organisationName}</Table.Td>
                  <Table.Td>
                    <RoleName role={membership.role} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
    </Stack>
  );
}

/** How many cases have news for the viewer since its last visit, linking to the list. */
function ChangedCasesCard() {
  const { t } = useTranslation();
  const changed = useChangedCases();
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="home-changed-title" data-testid="home-changed">
      <Group justify="space-between">
        <Title order={2} size="h4" id="home-changed-title">
          {t('changedCases.title')}
        </Title>
        <AnchorLink to="/cases/changed" data-testid="home-changed-link">
          {changed.data ? t('home.changedCount', { count: changed.data.length }) : t('home.changedOpen')}
        </AnchorLink>
      </Group>
    </Paper>
  );
}
