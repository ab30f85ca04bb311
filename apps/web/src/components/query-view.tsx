import { Center, Loader } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './error-alert.tsx';

/** The loading spinner of a page or section, announced to screen readers. */
export function LoadingView() {
  const { t } = useTranslation();
  return (
    <Center p="xl" role="status" aria-label={t('app.loading')}>
      <Loader />
    </Center>
  );
}

/**
 * What a query shows: a spinner until the first answer, its error with a retry button, then the data.
 * @example <QueryView query={useOrganisation(id)}>{(detail) => <OrganisationView detail={detail} />}</QueryView>
 */
export function QueryView<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isError && query.data === undefined) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data === undefined) return <LoadingView />;
  return children(query.data);
}
