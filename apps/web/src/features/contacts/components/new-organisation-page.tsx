import { Stack, Text, Title } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { AnchorLink } from '../../../components/links.tsx';
import { useCanEditDirectory } from '../hooks/use-can-edit-directory.ts';
import { OrganisationForm } from './organisation-form.tsx';

/** Add an organisation to the directory (coordinators and admins), then open its page. */
export function NewOrganisationPage() {
  const { t } = useTranslation();
  const canEdit = useCanEditDirectory();
  const navigate = useNavigate();
  return (
    <Stack gap="md" maw={900}>
      <AnchorLink to="/contacts" size="sm">
        ← {t('contacts.directory.title')}
      </AnchorLink>
      <Title order={1} size="h2">
        {t('contacts.edit.newOrganisation')}
      </Title>
      {canEdit ? (
        <OrganisationForm
          organisation={null}
          onSaved={(saved) => void navigate({ to: '/contacts/organisations/$organisationId', params: { organisationId: saved.id } })}
          onCancel={() => void navigate({ to: '/contacts' })}
        />
      ) : (
        <Text c="dimmed" data-testid="directory-read-only">
          {t('contacts.edit.readOnly')}
        </Text>
      )}
    </Stack>
  );
}
