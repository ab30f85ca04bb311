import { Center, Loader } from '@mantine/core';
import { ORGANISATION_KINDS, type OrganisationKind } from '@renkei/contract';
import { createRootRoute, createRoute, createRouter, Navigate, Outlet, RouterProvider, useLocation, useRouter } from '@tanstack/react-router';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoginPage } from '../features/auth/components/login-page.tsx';
import { CsvImportPage } from '../features/contacts/components/csv-import-page.tsx';
import { DirectoryPage } from '../features/contacts/components/directory-page.tsx';
import { KeysPage } from '../features/contacts/components/keys-page.tsx';
import { NewOrganisationPage } from '../features/contacts/components/new-organisation-page.tsx';
import { OrganisationPage } from '../features/contacts/components/organisation-page.tsx';
import { PersonPage } from '../features/contacts/components/person-page.tsx';
import { HomePage } from '../features/home/components/home-page.tsx';
import { IncidentPage } from '../features/incidents/components/incident-page.tsx';
import { IncidentsPage } from '../features/incidents/components/incidents-page.tsx';
import { ReportPage } from '../features/incidents/components/report-page.tsx';
import { TriagePage } from '../features/incidents/components/triage-page.tsx';
import { WaitingPage } from '../features/incidents/components/waiting-page.tsx';
import { LookupPage } from '../features/lookup/components/lookup-page.tsx';
import { MailboxPage } from '../features/mail/components/mailbox-page.tsx';
import { SettingsPage } from '../features/settings/components/settings-page.tsx';
import { StatisticsPage } from '../features/statistics/components/statistics-page.tsx';
import { CaseDatesPage } from '../features/vulnerabilities/components/case-dates-page.tsx';
import { CasePage } from '../features/vulnerabilities/components/case-page.tsx';
import { CasesPage } from '../features/vulnerabilities/components/cases-page.tsx';
import { ChangedCasesPage } from '../features/vulnerabilities/components/changed-cases-page.tsx';
import { WebhooksPage } from '../features/webhooks/components/webhooks-page.tsx';
import { VulnerabilityReportPage } from '../features/vulnerabilities/components/report-page.tsx';
import { VulnerabilityReportsPage } from '../features/vulnerabilities/components/reports-page.tsx';
import { UnreachableDevelopersPage } from '../features/vulnerabilities/components/unreachable-developers-page.tsx';
import { VendorProductsPage } from '../features/vulnerabilities/components/vendor-products-page.tsx';
import { useSession } from '../lib/session.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { parseSearch, safeNext, stringifySearch } from './search-params.ts';
import { Shell } from './shell.tsx';

/*
 * The route tree of the staff app, served under /app/ (the server answers index.html for every path
 * there). Ids are path segments (`/incidents/<id>`), so a reload or a pasted link opens the same page.
 * Who may see a page is decided by the session in components, since the session lives in React state.
 */

/** A search value as one string (the URL may carry it twice or not at all). */
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const rootRoute = createRootRoute({ component: Root, notFoundComponent: NotFound });

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'login',
  validateSearch: (search: Record<string, unknown>): { next?: string } => ({ next: text(search.next) }),
  component: LoginRoute,
});

/** Every page for logged-in users sits in this pathless layout: the session check and the shell. */
const authedRoute = createRoute({ getParentRoute: () => rootRoute, id: 'authed', component: Authed });

const page = <TPath extends string>(path: TPath, component: () => ReactNode) => createRoute({ getParentRoute: () => authedRoute, path, component });

const homeRoute = page('/', HomePage);
const settingsRoute = page('settings', SettingsPage);
const statisticsRoute = page('statistics', StatisticsPage);
const lookupRoute = page('lookup', LookupPage);
const mailRoute = page('mail', MailboxPage);
const incidentsRoute = page('incidents', IncidentsPage);
const triageRoute = page('incidents/triage', TriagePage);
const waitingRoute = page('incidents/waiting', WaitingPage);
const newOrganisationRoute = page('contacts/new', NewOrganisationPage);
const csvImportRoute = page('contacts/import', CsvImportPage);
const vulnerabilityReportsRoute = page('vulnerability-reports', VulnerabilityReportsPage);
const casesRoute = page('cases', CasesPage);
const vendorProductsRoute = page('vendor-products', VendorProductsPage);
const unreachableRoute = page('unreachable-developers', UnreachableDevelopersPage);
const caseDatesRoute = page('case-dates', CaseDatesPage);
const changedCasesRoute = page('cases/changed', ChangedCasesPage);
const webhooksRoute = page('webhooks', WebhooksPage);

const vulnerabilityReportRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'vulnerability-reports/$reportId',
  component: function VulnerabilityReportRoute() {
    return <VulnerabilityReportPage reportId={vulnerabilityReportRoute.useParams().reportId} />;
  },
});

const caseRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'cases/$caseId',
  component: function CaseRoute() {
    return <CasePage caseId={caseRoute.useParams().caseId} />;
  },
});

const directoryRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'contacts',
  validateSearch: (search: Record<string, unknown>): { q?: string; kind?: OrganisationKind } => {
    const kind = ORGANISATION_KINDS.find((value) => value === search.kind);
    return { q: text(search.q), kind };
  },
  component: function DirectoryRoute() {
    const { q, kind } = directoryRoute.useSearch();
    return <DirectoryPage q={q ?? ''} kind={kind ?? null} />;
  },
});

const keysRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'contacts/keys',
  validateSearch: (search: Record<string, unknown>): { organisationId?: string } => ({ organisationId: text(search.organisationId) }),
  component: function KeysRoute() {
    return <KeysPage organisationId={keysRoute.useSearch().organisationId ?? null} />;
  },
});

const organisationRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'contacts/organisations/$organisationId',
  component: function OrganisationRoute() {
    return <OrganisationPage organisationId={organisationRoute.useParams().organisationId} />;
  },
});

const personRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'contacts/people/$personId',
  component: function PersonRoute() {
    return <PersonPage personId={personRoute.useParams().personId} />;
  },
});

const incidentRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'incidents/$incidentId',
  component: function IncidentRoute() {
    return <IncidentPage incidentId={incidentRoute.useParams().incidentId} />;
  },
});

const reportRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: 'reports/$reportId',
  component: function ReportRoute() {
    return <ReportPage reportId={reportRoute.useParams().reportId} />;
  },
});

// Links written before ids moved into the path (`?id=`) still open the same page.
const idSearch = (search: Record<string, unknown>): { id?: string } => ({ id: text(search.id) });
const legacyOrganisationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'contacts/organisation',
  validateSearch: idSearch,
  component: function LegacyOrganisation() {
    const { id } = legacyOrganisationRoute.useSearch();
    if (!id) return <Navigate to="/contacts" replace />;
    return <Navigate to="/contacts/organisations/$organisationId" params={{ organisationId: id }} replace />;
  },
});
const legacyIncidentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'incidents/incident',
  validateSearch: idSearch,
  component: function LegacyIncident() {
    const { id } = legacyIncidentRoute.useSearch();
    if (!id) return <Navigate to="/incidents" replace />;
    return <Navigate to="/incidents/$incidentId" params={{ incidentId: id }} replace />;
  },
});
const legacyReportRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'incidents/report',
  validateSearch: idSearch,
  component: function LegacyReport() {
    const { id } = legacyReportRoute.useSearch();
    if (!id) return <Navigate to="/incidents/triage" replace />;
    return <Navigate to="/reports/$reportId" params={{ reportId: id }} replace />;
  },
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  legacyOrganisationRoute,
  legacyIncidentRoute,
  legacyReportRoute,
  authedRoute.addChildren([
    homeRoute,
    settingsRoute,
    statisticsRoute,
    lookupRoute,
    mailRoute,
    incidentsRoute,
    triageRoute,
    waitingRoute,
    incidentRoute,
    reportRoute,
    directoryRoute,
    keysRoute,
    newOrganisationRoute,
    csvImportRoute,
    organisationRoute,
    personRoute,
    vulnerabilityReportsRoute,
    vulnerabilityReportRoute,
    casesRoute,
    changedCasesRoute,
    caseRoute,
    vendorProductsRoute,
    unreachableRoute,
    caseDatesRoute,
    webhooksRoute,
  ]),
]);

export const router = createRouter({
  routeTree,
  basepath: import.meta.env.BASE_URL,
  parseSearch,
  stringifySearch,
  scrollRestoration: true,
  defaultPreload: false,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

export function AppRouter() {
  return <RouterProvider router={router} />;
}

function Root() {
  const { status } = useSession();
  return status === 'loading' ? <FullPageLoader /> : <Outlet />;
}

function LoginRoute() {
  const { status } = useSession();
  const { next } = loginRoute.useSearch();
  if (status === 'authenticated') return <ReplaceWith href={safeNext(next)} />;
  return <LoginPage />;
}

/** Goes to an app href (path and search, without the base) that is only known as a string. */
function ReplaceWith({ href }: { href: string }) {
  const router = useRouter();
  useEffect(() => {
    router.history.replace(`${router.basepath.replace(/\/$/, '')}${href}`);
  }, [router, href]);
  return <FullPageLoader />;
}

/**
 * Sends someone not logged in to the login page, to come back to `next` afterwards. It navigates once,
 * with the place it was first shown for: while the navigation is under way the layout above re-renders
 * with the location already changing, and following it would navigate again in a loop.
 */
function RedirectToLogin({ next }: { next?: string }) {
  const router = useRouter();
  const [target] = useState(next);
  useEffect(() => {
    void router.navigate({ to: '/login', search: target === undefined ? {} : { next: target }, replace: true });
  }, [router, target]);
  return <FullPageLoader />;
}

function Authed() {
  const { status, ended } = useSession();
  const location = useLocation();
  if (status !== 'authenticated') {
    const keepPlace = ended !== 'logged_out' && location.pathname !== '/';
    return <RedirectToLogin next={keepPlace ? location.href : undefined} />;
  }
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

/** An unknown path: the not-found page inside the shell, or the login page for someone not logged in. */
function NotFound() {
  const { status } = useSession();
  if (status !== 'authenticated') return <RedirectToLogin />;
  return (
    <Shell>
      <NotFoundPage />
    </Shell>
  );
}

function FullPageLoader() {
  const { t } = useTranslation();
  return (
    <Center mih="100vh" role="status" aria-label={t('app.loading')}>
      <Loader />
    </Center>
  );
}
