import { type DependencyList, type Dispatch, type SetStateAction, useCallback, useEffect, useState } from 'react';

export interface Resource<T> {
  /** null until the first load succeeds. */
  data: T | null;
  /** The last load's failure, null when it succeeded or is under way. */
  error: unknown;
  reload: () => Promise<void>;
  /** For a page that changed the resource itself and holds the server's answer already. */
  setData: Dispatch<SetStateAction<T | null>>;
}

/**
 * Loads what a page shows when its dependencies change, keeping the data and the failure apart.
 * @example const { data, error, reload } = useResource(() => getPerson(id), [id]);
 */
export function useResource<T>(fetch: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The caller names what `fetch` depends on, as it would for useCallback.
  const reload = useCallback(async () => {
    setError(null);
    try {
      setData(await fetch());
    } catch (caught) {
      setError(caught);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload, setData };
}
