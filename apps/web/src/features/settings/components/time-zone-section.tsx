import { Select, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useNow } from '../../../hooks/use-now.ts';
import { useMe } from '../../../lib/session.tsx';
import { useUpdateMe } from '../api/me.ts';
import { timeZoneOptions } from '../time-zones.ts';
import { SavedMark } from './saved-mark.tsx';
import { Section } from '../../../components/section.tsx';

export function TimeZoneSection() {
  const { t } = useTranslation();
  const me = useMe();
  const update = useUpdateMe();
  const now = useNow();

  const data = useMemo(
    () =>
      timeZoneOptions(me.timeZone).map((option) => ({
        value: option.value,
        label: option.browser ? t('settings.timeZone.browser', { zone: option.value }) : option.value,
      })),
    [me.timeZone, t],
  );

  const choose = (timeZone: string | null) => {
    if (!timeZone || timeZone === me.timeZone) return;
    update.mutate({ timeZone });
  };

  return (
    <Section title={t('settings.timeZone.title')} description={t('settings.timeZone.description')} testId="settings-time-zone">
      <Select
        label={t('settings.timeZone.label')}
        data={data}
        value={me.timeZone}
        onChange={choose}
        searchable
        allowDeselect={false}
        nothingFoundMessage={t('settings.timeZone.nothingFound')}
        maxDropdownHeight={320}
        limit={60}
        disabled={update.isPending}
        maw={420}
        data-testid="timezone-select"
      />
      <Text size="sm">
        {t('settings.timeZone.current')}:{' '}
        <Text span fw={500} data-testid="current-time">
          <DateTime value={now} />
        </Text>
      </Text>
      <SavedMark visible={update.isSuccess} testId="timezone-saved" />
      {update.error !== null && <ErrorAlert error={update.error} onClose={update.reset} />}
    </Section>
  );
}
