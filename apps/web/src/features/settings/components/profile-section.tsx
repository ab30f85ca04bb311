import { Button, Group, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useMe, useSession } from '../../../lib/session.tsx';
import { SavedMark } from './saved-mark.tsx';
import { Section } from '../../../components/section.tsx';

export function ProfileSection() {
  const { t } = useTranslation();
  const me = useMe();
  const { update } = useSession();
  const [displayName, setDisplayName] = useState(me.displayName);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const trimmed = displayName.trim();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (trimmed === '') return;
    setSaving(true);
    setSaved(false);
    setError(null);
    try {
      const updated = await update({ displayName: trimmed });
      setDisplayName(updated.displayName);
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Section title={t('settings.profile.title')} testId="settings-profile">
      <div>
        <Text size="sm" fw={500}>
          {t('settings.profile.email')}
        </Text>
        <Text size="sm" data-testid="profile-email">
          {me.email}
        </Text>
      </div>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Group align="flex-end" gap="sm">
          <TextInput
            label={t('settings.profile.displayName')}
            value={displayName}
            maxLength={200}
            required
            onChange={(event) => {
              setDisplayName(event.currentTarget.value);
              setSaved(false);
            }}
            error={trimmed === '' ? t('settings.profile.displayNameRequired') : undefined}
            style={{ flex: 1, minWidth: 220 }}
            data-testid="display-name"
          />
          <Button type="submit" loading={saving} disabled={trimmed === '' || trimmed === me.displayName} data-testid="profile-save">
            {t('settings.profile.save')}
          </Button>
        </Group>
      </form>
      <SavedMark visible={saved} testId="profile-saved" />
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
    </Section>
  );
}
