import { Button, Group, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useMe } from '../../../lib/session.tsx';
import { useUpdateMe } from '../api/me.ts';
import { SavedMark } from './saved-mark.tsx';
import { Section } from '../../../components/section.tsx';

export function ProfileSection() {
  const { t } = useTranslation();
  const me = useMe();
  const update = useUpdateMe();
  const form = useForm({
    mode: 'controlled',
    initialValues: { displayName: me.displayName },
    validateInputOnChange: true,
    validate: { displayName: (name) => (name.trim() === '' ? t('settings.profile.displayNameRequired') : null) },
    // A change after saving takes the "saved" mark away.
    onValuesChange: () => update.reset(),
  });
  const trimmed = form.values.displayName.trim();

  const submit = ({ displayName }: { displayName: string }) =>
    update.mutate({ displayName: displayName.trim() }, { onSuccess: (updated) => form.setValues({ displayName: updated.displayName }) });

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
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Group align="flex-end" gap="sm">
          <TextInput
            label={t('settings.profile.displayName')}
            {...form.getInputProps('displayName')}
            maxLength={200}
            required
            style={{ flex: 1, minWidth: 220 }}
            data-testid="display-name"
          />
          <Button type="submit" loading={update.isPending} disabled={trimmed === '' || trimmed === me.displayName} data-testid="profile-save">
            {t('settings.profile.save')}
          </Button>
        </Group>
      </form>
      <SavedMark visible={update.isSuccess} testId="profile-saved" />
      {update.error !== null && <ErrorAlert error={update.error} onClose={update.reset} />}
    </Section>
  );
}
