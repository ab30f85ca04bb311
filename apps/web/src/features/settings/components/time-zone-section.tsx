import { Select, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useNow } from '../../../hooks/use-now.ts';
import { useMe, useSession } from '../../../lib/session.tsx';
import { timeZoneOptions } from '../time-zones.ts';
import { SavedMark } from './saved-mark.tsx';
import { Section } from '../../../components/section.tsx';

export function TimeZoneSection() {
  const { t } = useTranslation();
  const me = useMe();
  const { update } = useSession();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const now = useNow();

  const data = useMemo(
    () =>
      timeZoneOptions(me.timeZone).map((option) => ({
        value: option.value,
        label: option.browser ? t('settings.timeZone.browser', { zone: option.value }) : option.value,
      })),
    [me.timeZone, t],
  );

  const choose = async (timeZone: string | null) => {
    if (!timeZone || timeZone === me.timeZone) return;
    setSaving(true);
    setSaved(false);
    setError(null);
    try {
      await update({ timeZone });
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Section title={t('settings.timeZone.title')} description={t('settings.timeZone.description')} testId="settings-time-zone">
      <Select
        label={t('settings.timeZone.label')}
        data={data}
        value={me.timeZone}
        onChange={(value) => void choose(value)}
        searchable
        allowDeselect={false}
        nothingFoundMessage={t('settings.timeZone.nothingFound')}
        maxDropdownHeight={320}
        limit={60}
        disabled={saving}
        maw={420}
        data-testid="timezone-select"
      />
      <Text size="sm">
        {t('settings.timeZone.current')}:{' '}
        <Text span fw={500} data-testid="current-time">
          <DateTime value={now} />
        </Text>
      </Text>
      <SavedMark visible={saved} testId="timezone-saved" />
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
    </Section>
  );
}
