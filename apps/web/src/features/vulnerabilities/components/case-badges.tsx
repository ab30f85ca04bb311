import { Badge, Text } from '@mantine/core';
import type { CaseStatus } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { useNow } from '../../../hooks/use-now.ts';
import { daysBetween } from '../zoned-time.ts';

const CASE_STATUS_COLOURS: Record<CaseStatus, string> = { verifying: 'grape', coordinating: 'blue', scheduled: 'teal', published: 'green', closed: 'gray' };

/** @example <CaseStatusBadge status="coordinating" /> */
export function CaseStatusBadge({ status }: { status: CaseStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={CASE_STATUS_COLOURS[status]} variant="light" data-testid="case-status">
      {t(`vulnerabilities.caseStatus.${status}`)}
    </Badge>
  );
}

/** Days left to an instant ("12 days left"), or how far past it ("3 days overdue", in red). */
export function DaysLeft({ until }: { until: string }) {
  const { t } = useTranslation();
  const now = useNow(60_000);
  const days = -daysBetween(until, now);
  return days >= 0 ? (
    <Text span size="sm" c="dimmed" data-testid="days-left">
      {t('vulnerabilities.days.left', { count: days })}
    </Text>
  ) : (
    <Text span size="sm" c="red" fw={600} data-testid="days-left">
      {t('vulnerabilities.days.overdue', { count: -days })}
    </Text>
  );
}
