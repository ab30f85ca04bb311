import { useInterval } from '@mantine/hooks';
import { useState } from 'react';

/**
 * The current time, refreshed every `everyMs` (a clock to the minute needs no finer tick).
 * @example const now = useNow(); return <DateTime value={now} />;
 */
export function useNow(everyMs = 15_000): Date {
  const [now, setNow] = useState(() => new Date());
  useInterval(() => setNow(new Date()), everyMs, { autoInvoke: true });
  return now;
}
