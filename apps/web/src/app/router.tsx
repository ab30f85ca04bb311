import { Center, Loader } from '@mantine/core';
import { type ComponentType, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { LoginPage } from '../features/auth/components/login-page.tsx';
import { DirectoryPage } from '../features/contacts/components/directory-page.tsx';
import { KeysPage } from '../features/contacts/components/keys-page.tsx';
import { CsvImportPage } from '../features/contacts/components/csv-import-page.tsx';
import { NewOrganisationPage } from '../features/contacts/components/new-organisation-page.tsx';
import { OrganisationPage } from '../features/contacts/components/organisation-page.tsx';
import { PERSON_PATH, PersonPage } from '../features/contacts/components/person-page.tsx';
import { HomePage } from '../features/home/components/home-page.tsx';
import { IncidentPage } from '../features/incidents/components/incident-page.tsx';
import { IncidentsPage } from '../features/incidents/components/incidents-page.tsx';
import { ReportPage } from '../features/incidents/components/report-page.tsx';
import { TriagePage } from '../features/incidents/components/triage-page.tsx';
import { WaitingPage } from '../features/incidents/components/waiting-page.tsx';
import { MailboxPage } from '../features/mail/components/mailbox-page.tsx';
import { LookupPage } from '../features/lookup/components/lookup-page.tsx';
import { SettingsPage } from '../features/settings/components/settings-page.tsx';
import { StatisticsPage } from '../features/statistics/components/statistics-page.tsx';
import { navigate, useLocation } from '../lib/navigation.ts';
import { useSession } from '../lib/session.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { Shell } from './shell.tsx';

/** Pages for logged-in users, by path inside /app. `/login` is handled apart. */
const PAGES: Readonly<Record<string, ComponentType>> = {
  '/': HomePage,
  '/settings': SettingsPage,
  '/statistics': StatisticsPage,
  '/lookup': LookupPage,
  '/contacts': DirectoryPage,
  '/contacts/organisation': OrganisationPage,
  '/contacts/keys': KeysPage,
  '/contacts/new': NewOrganisationPage,
  '/contacts/import': CsvImportPage,
  '/mail': MailboxPage,
  '/incidents': IncidentsPage,
  '/incidents/triage': TriagePage,
  '/incidents/report': ReportPage,
  '/incidents/incident': IncidentPage,
  '/incidents/waiting': WaitingPage,
};

export const LOGIN_PATH = '/login';

/** Only our own pages are valid targets after login, so `?next=` cannot send anyone elsewhere. */
function safeNext(next: string | null): string {
  return next !== null && Object.hasOwn(PAGES, next) ? next : '/';
}

export function AppRouter() {
  const { path, search } = useLocation();
  const { status, ended } = useSession();

  if (status === 'loading') return <FullPageLoader />;

  if (path === LOGIN_PATH) {
    if (status === 'authenticated') return <Redirect to={safeNext(search.get('next'))} />;
    return <LoginPage />;
  }

  if (status === 'anonymous') {
    const keepPlace = ended !== 'logged_out' && path !== '/' && Object.hasOwn(PAGES, path);
    return <Redirect to={keepPlace ? `${LOGIN_PATH}?next=${encodeURIComponent(path)}` : LOGIN_PATH} />;
  }

  const Page = PAGES[path] ?? (PERSON_PATH.test(path) ? PersonPage : NotFoundPage);
  return (
    <Shell>
      <Page />
    </Shell>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <FullPageLoader />;
}

function FullPageLoader() {
  const { t } = useTranslation();
  return (
    <Center mih="100vh" role="status" aria-label={t('app.loading')}>
      <Loader />
    </Center>
  );
}
