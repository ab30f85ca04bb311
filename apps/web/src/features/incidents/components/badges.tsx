import { Badge, Text } from '@mantine/core';
import { type CoordinationState, TLP_COLOURS, type TlpLevel, tlpLabel } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { useNow } from '../../../hooks/use-now.ts';

/** A TLP 2.0 label in FIRST's colours (the label's colour on black); the label itself is never translated. @example <TlpBadge tlp="amber" /> */
export function TlpBadge({ tlp }: { tlp: TlpLevel }) {
  return (
    <Badge
      radius="xs"
      styles={{
        root: { background: '#000', color: TLP_COLOURS[tlp], textTransform: 'none', flexShrink: 0, overflow: 'visible' },
        label: { overflow: 'visible' },
      }}
      data-testid="tlp-badge"
      data-tlp={tlp}
    >
      {tlpLabel(tlp)}
    </Badge>
  );
}

const PRIORITY_COLOURS = ['red', 'orange', 'blue', 'gray'] as const;

/** Priority 1 (most urgent) to 4. @example <PriorityBadge priority={2} /> */
export function PriorityBadge({ priority }: { priority: number }) {
  const { t } = useTranslation();
  return (
    <Badge
      variant="light"
      color={PRIORITY_COLOURS[priority - 1] ?? 'gray'}
      styles={{ root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } }}
      data-testid="priority-badge"
      data-priority={priority}
    >
      {t(`incidents.priority.p${priority}` as 'incidents.priority.p1', { defaultValue: `P${priority}` })}
    </Badge>
  );
}

const STATE_COLOURS: Record<CoordinationState, string> = {
  drafted: 'gray',
  sent: 'blue',
  acknowledged: 'teal',
  acted: 'green',
  no_response: 'orange',
  closed: 'dark',
};

/** @example <CoordinationStateBadge state="sent" /> */
export function CoordinationStateBadge({ state }: { state: CoordinationState }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATE_COLOURS[state]} data-testid="coordination-state" data-state={state}>
      {t(`incidents.coordinationState.${state}`)}
    </Badge>
  );
}

/** How long ago, in the reader's language ("3 hours ago", "3 時間前"). @example <Age value={report.receivedAt} /> */
export function Age({ value }: { value: string }) {
  const { i18n } = useTranslation();
  const now = useNow(60_000);
  const seconds = Math.round((new Date(value).getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  const text =
    abs < 3600
      ? format.format(Math.round(seconds / 60), 'minute')
      : abs < 86_400
        ? format.format(Math.round(seconds / 3600), 'hour')
        : format.format(Math.round(seconds / 86_400), 'day');
  return (
    <Text span size="sm" title={value}>
      {text}
    </Text>
  );
}
