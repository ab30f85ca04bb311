import { Anchor, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { linkProps, navigate } from '../../../lib/navigation.ts';
import { useCanEditDirectory } from '../hooks/use-can-edit-directory.ts';
import { OrganisationForm } from './organisation-form.tsx';

/** Add an organisation to the directory (coordinators and admins), then open its page. */
export function NewOrganisationPage() {
  const { t } = useTranslation();
  const canEdit = useCanEditDirectory();
  return (
    <Stack gap="md" maw={900}>
      <Anchor {...linkProps('/contacts')} size="sm">
        ← {t('contacts.directory.title')}
      </Anchor>
      <Title order={1} size="h2">
        {t('contacts.edit.newOrganisation')}
      </Title>
      {canEdit ? (
        <OrganisationForm organisation={null} onSaved={(saved) => navigate(`/contacts/organisation?id=${saved.id}`)} onCancel={() => navigate('/contacts')} />
      ) : (
        <Text c="dimmed" data-testid="directory-read-only">
          {t('contacts.edit.readOnly')}
        </Text>
      )}
    </Stack>
  );
}
