import { browserTimeZone, formatDateTime } from '../lib/format-date-time.ts';
import { useSession } from '../lib/session.tsx';

export interface DateTimeProps {
  /** An instant: a Date, epoch milliseconds or an ISO 8601 string (as the API sends, in UTC). */
  value: Date | string | number;
  /** Defaults to the user's time zone, or the browser's before login. */
  timeZone?: string;
  seconds?: boolean;
}

/**
 * An instant in the viewer's time zone with the zone named, e.g. `2026-11-26 15:32 JST (Asia/Tokyo)`.
 * @example <DateTime value={report.receivedAt} />
 */
export function DateTime({ value, timeZone, seconds = false }: DateTimeProps) {
  const { me } = useSession();
  const formatted = formatDateTime(value, timeZone ?? me?.timeZone ?? browserTimeZone(), { seconds });
  if (!formatted) return <span>—</span>;
  const instant = value instanceof Date ? value : new Date(value);
  return (
    <time dateTime={instant.toISOString()} title={`${instant.toISOString().replace('.000Z', 'Z')} (UTC)`}>
      {formatted.text}
    </time>
  );
}
