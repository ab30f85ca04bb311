import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api.ts';

/**
 * The one cache of server state. A query is keyed by its inputs, so an answer that arrives after the
 * inputs changed lands under its own key and is never shown for the new ones.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refetch on focus would reset what staff are reading; pages refresh after their own changes.
      refetchOnWindowFocus: false,
      staleTime: 10_000,
      // A 4xx answer will not change by asking again; a network failure or a 5xx may.
      retry: (failureCount, error) => failureCount < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});
