import { Anchor, AppShell, Burger, Group, Menu, NavLink, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isStaffRole } from '@renkei/contract';
import { ErrorAlert } from '../components/error-alert.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { linkProps, useLocation } from '../lib/navigation.ts';
import { useMe, useSession } from '../lib/session.tsx';
import classes from './shell.module.css';

/** The frame of every logged-in page: header (name, language, account menu), navigation and content. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [navOpen, nav] = useDisclosure(false);
  const { path } = useLocation();
  const isStaff = useMe().roles.some((role) => isStaffRole(role));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpen } }} padding="lg">
      <a href="#main" className={classes.skipLink}>
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpen} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <Anchor {...linkProps('/')} underline="never" c="inherit" fw={700} size="lg" style={{ whiteSpace: 'nowrap' }} data-testid="product-name">
              {t('app.name')}
            </Anchor>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitch />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" component="nav" aria-label={t('nav.label')}>
        <NavLink
          component="a"
          {...linkProps('/', nav.close)}
          label={t('nav.home')}
          active={path === '/'}
          aria-current={path === '/' ? 'page' : undefined}
          data-testid="nav-home"
        />
        {isStaff && (
          <NavLink label={t('nav.incidents')} defaultOpened active={path.startsWith('/incidents')} data-testid="nav-incidents-group">
            {(
              [
                ['/incidents/triage', 'nav.triage', 'nav-triage'],
                ['/incidents', 'nav.incidents', 'nav-incidents'],
                ['/incidents/waiting', 'nav.waiting', 'nav-waiting'],
              ] as const
            ).map(([to, label, testId]) => (
              <NavLink
                key={to}
                component="a"
                {...linkProps(to, nav.close)}
                label={t(label)}
                active={path === to}
                aria-current={path === to ? 'page' : undefined}
                data-testid={testId}
              />
            ))}
          </NavLink>
        )}
        {isStaff && (
          <NavLink
            component="a"
            {...linkProps('/mail', nav.close)}
            label={t('nav.mail')}
            active={path === '/mail'}
            aria-current={path === '/mail' ? 'page' : undefined}
            data-testid="nav-mail"
          />
        )}
        {isStaff && (
          <NavLink
            component="a"
            {...linkProps('/contacts', nav.close)}
            label={t('nav.contacts')}
            active={path.startsWith('/contacts')}
            aria-current={path === '/contacts' ? 'page' : undefined}
            data-testid="nav-contacts"
          />
        )}
        {useMe().roles.some((role) => isStaffRole(role)) && (
          <NavLink
            component="a"
            {...linkProps('/lookup', nav.close)}
            label={t('nav.lookup')}
            active={path === '/lookup'}
            aria-current={path === '/lookup' ? 'page' : undefined}
            data-testid="nav-lookup"
          />
        )}
        {isStaff && (
          <NavLink
            component="a"
            {...linkProps('/statistics', nav.close)}
            label={t('nav.statistics')}
            active={path === '/statistics'}
            aria-current={path === '/statistics' ? 'page' : undefined}
            data-testid="nav-statistics"
          />
        )}
        <NavLink
          component="a"
          {...linkProps('/settings', nav.close)}
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

function UserMenu() {
  const { t } = useTranslation();
  const me = useMe();
  const { logout } = useSession();
  const [error, setError] = useState<unknown>(null);

  const doLogout = async () => {
    setError(null);
    try {
      await logout();
    } catch (caught) {
      setError(caught);
    }
  };

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
          <Menu.Item component="a" {...linkProps('/settings')} data-testid="menu-settings">
            {t('userMenu.settings')}
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item color="red" onClick={() => void doLogout()} data-testid="logout">
            {t('userMenu.logout')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {error !== null && (
        <div className={classes.floatingError}>
          <ErrorAlert error={error} onClose={() => setError(null)} />
        </div>
      )}
    </>
  );
}
