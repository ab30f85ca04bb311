import { AppShell, Burger, Group, Menu, NavLink, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useRouterState } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isStaffRole } from '@renkei/contract';
import { ErrorAlert } from '../components/error-alert.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { AnchorLink, MenuItemLink, NavLinkLink } from '../components/links.tsx';
import { useMe, useSession } from '../lib/session.tsx';
import classes from './shell.module.css';

/** The frame of every logged-in page: header (name, language, account menu), navigation and content. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [navOpen, nav] = useDisclosure(false);
  const path = useRouterState({ select: (state) => state.location.pathname });
  const roles = useMe().roles;
  const isStaff = roles.some((role) => isStaffRole(role));
  // Vulnerability cases are seen by the team and, once shared, by vendors' users and partner coordinators.
  const seesCases = isStaff || roles.some((role) => role === 'vendor_user' || role === 'partner');

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpen } }} padding="lg">
      <a href="#main" className={classes.skipLink}>
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpen} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <AnchorLink to="/" underline="never" c="inherit" fw={700} size="lg" style={{ whiteSpace: 'nowrap' }} data-testid="product-name">
              {t('app.name')}
            </AnchorLink>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitch />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" component="nav" aria-label={t('nav.label')}>
        <NavLinkLink
          to={'/'}
          onClick={nav.close}
          label={t('nav.home')}
          active={path === '/'}
          aria-current={path === '/' ? 'page' : undefined}
          data-testid="nav-home"
        />
        {isStaff && (
          <NavLink
            label={t('nav.incidents')}
            defaultOpened
            active={path.startsWith('/incidents') || path.startsWith('/reports')}
            data-testid="nav-incidents-group"
          >
            {(
              [
                ['/incidents/triage', 'nav.triage', 'nav-triage'],
                ['/incidents', 'nav.incidents', 'nav-incidents'],
                ['/incidents/waiting', 'nav.waiting', 'nav-waiting'],
              ] as const
            ).map(([to, label, testId]) => (
              <NavLinkLink
                key={to}
                to={to}
                onClick={nav.close}
                label={t(label)}
                active={path === to}
                aria-current={path === to ? 'page' : undefined}
                data-testid={testId}
              />
            ))}
          </NavLink>
        )}
        <VulnerabilityNav path={path} isStaff={isStaff} seesCases={seesCases} onNavigate={nav.close} />
        {isStaff && (
          <NavLinkLink
            to={'/mail'}
            onClick={nav.close}
            label={t('nav.mail')}
            active={path === '/mail'}
            aria-current={path === '/mail' ? 'page' : undefined}
            data-testid="nav-mail"
          />
        )}
        {isStaff && (
          <NavLinkLink
            to={'/contacts'}
            onClick={nav.close}
            label={t('nav.contacts')}
            active={path.startsWith('/contacts')}
            aria-current={path === '/contacts' ? 'page' : undefined}
            data-testid="nav-contacts"
          />
        )}
        {useMe().roles.some((role) => isStaffRole(role)) && (
          <NavLinkLink
            to={'/lookup'}
            onClick={nav.close}
            label={t('nav.lookup')}
            active={path === '/lookup'}
            aria-current={path === '/lookup' ? 'page' : undefined}
            data-testid="nav-lookup"
          />
        )}
        {isStaff && (
          <NavLinkLink
            to={'/statistics'}
            onClick={nav.close}
            label={t('nav.statistics')}
            active={path === '/statistics'}
            aria-current={path === '/statistics' ? 'page' : undefined}
            data-testid="nav-statistics"
          />
        )}
        <NavLinkLink
          to={'/settings'}
          onClick={nav.close}
          label={t('nav.settings')}
          active={path === '/settings'}
          aria-current={path === '/settings' ? 'page' : undefined}
          data-testid="nav-settings"
        />
        <NavLink
          component="a"
          href="/api/docs"
          target="_blank"
          rel="noopener noreferrer"
          label={
            <>
              {t('nav.apiDocs')} <span aria-hidden="true">↗</span>
              <VisuallyHidden>({t('nav.opensInNewTab')})</VisuallyHidden>
            </>
          }
          data-testid="nav-api-docs"
        />
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

/** The vulnerability-coordination entries: the report queue for the team, cases for the team and for participants, the registry (a vendor: its own products), and the team's back office (unreachable developers, dates). */
function VulnerabilityNav({ path, isStaff, seesCases, onNavigate }: { path: string; isStaff: boolean; seesCases: boolean; onNavigate: () => void }) {
  const { t } = useTranslation();
  // A vendor's users keep their own organisation's products in the registry.
  const isVendor = useMe().roles.includes('vendor_user');
  // An organisation's own users manage its webhooks; admins any organisation's.
  const managesWebhooks = useMe().roles.some((role) => role === 'vendor_user' || role === 'partner' || role === 'admin');
  return (
    <>
      {isStaff && (
        <NavLinkLink
          to={'/vulnerability-reports'}
          onClick={onNavigate}
          label={t('nav.vulnerabilityReports')}
          active={path.startsWith('/vulnerability-reports')}
          aria-current={path === '/vulnerability-reports' ? 'page' : undefined}
          data-testid="nav-vulnerability-reports"
        />
      )}
      {seesCases && (
        <NavLinkLink
          to={'/cases'}
          onClick={onNavigate}
          label={t('nav.cases')}
          active={path.startsWith('/cases') && path !== '/cases/changed'}
          activeOptions={{ exact: true }}
          aria-current={path === '/cases' ? 'page' : undefined}
          data-testid="nav-cases"
        />
      )}
      {seesCases && (
        <NavLinkLink
          to={'/cases/changed'}
          onClick={onNavigate}
          label={t('nav.changedCases')}
          active={path === '/cases/changed'}
          aria-current={path === '/cases/changed' ? 'page' : undefined}
          data-testid="nav-changed-cases"
        />
      )}
      {managesWebhooks && (
        <NavLinkLink
          to={'/webhooks'}
          onClick={onNavigate}
          label={t('nav.webhooks')}
          active={path === '/webhooks'}
          aria-current={path === '/webhooks' ? 'page' : undefined}
          data-testid="nav-webhooks"
        />
      )}
      {(
        [
          ['/vendor-products', 'nav.vendorProducts', 'nav-vendor-products', isStaff || isVendor],
          ['/unreachable-developers', 'nav.unreachableDevelopers', 'nav-unreachable', isStaff],
          ['/case-dates', 'nav.caseDates', 'nav-case-dates', isStaff],
        ] as const
      )
        .filter(([, , , shown]) => shown)
        .map(([to, label, testId]) => (
          <NavLinkLink
            key={to}
            to={to}
            onClick={onNavigate}
            label={t(label)}
            active={path === to}
            aria-current={path === to ? 'page' : undefined}
            data-testid={testId}
            pl="xl"
          />
        ))}
    </>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const me = useMe();
  const { logout } = useSession();
  const run = useMutation({ mutationFn: logout });

  return (
    <>
      <Menu position="bottom-end" width={240} withArrow shadow="md">
        <Menu.Target>
          <UnstyledButton className={classes.userButton}>
            <Text size="sm" fw={500} data-testid="user-name" truncate maw={{ base: 90, sm: 240 }}>
              {me.displayName}
            </Text>
            <span aria-hidden="true">▾</span>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{t('userMenu.signedInAs', { email: me.email })}</Menu.Label>
          <MenuItemLink to="/settings" data-testid="menu-settings">
            {t('userMenu.settings')}
          </MenuItemLink>
          <Menu.Divider />
          <Menu.Item color="red" onClick={() => run.mutate()} data-testid="logout">
            {t('userMenu.logout')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {run.error !== null && (
        <div className={classes.floatingError}>
          <ErrorAlert error={run.error} onClose={run.reset} />
        </div>
      )}
    </>
  );
}
