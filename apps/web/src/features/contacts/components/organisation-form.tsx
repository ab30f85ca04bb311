import { Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import {
  ORGANISATION_KINDS,
  type Organisation,
  type OrganisationKind,
  PGP_POLICIES,
  type PgpPolicy,
  REPORT_FORMATS,
  type ReportFormat,
  TLP_LEVELS,
  type TlpLevel,
  tlpLabel,
} from '@renkei/contract';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useSaveOrganisation } from '../api/contacts.ts';

interface Draft {
  kind: OrganisationKind;
  name: string;
  nameJa: string;
  contactEmail: string;
  country: string;
  languages: string;
  timeZone: string;
  tlpCeiling: TlpLevel;
  pgpPolicy: PgpPolicy;
  preferredFormat: ReportFormat;
  isNationalCsirt: boolean;
}

const toDraft = (org: Organisation | null): Draft => ({
  kind: org?.kind ?? 'isp',
  name: org?.name ?? '',
  nameJa: org?.nameJa ?? '',
  contactEmail: org?.contactEmail ?? '',
  country: org?.country ?? '',
  languages: org?.languages.join(' ') ?? '',
  timeZone: org?.timeZone ?? '',
  tlpCeiling: org?.tlpCeiling ?? 'amber',
  pgpPolicy: org?.pgpPolicy ?? 'preferred',
  preferredFormat: org?.preferredFormat ?? 'text',
  isNationalCsirt: org?.isNationalCsirt ?? false,
});

const orNull = (text: string) => (text.trim() ? text.trim() : null);

/** "ja, en" or "ja en" → ['ja', 'en']. */
export const splitLanguages = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((code) => code.trim().toLowerCase())
    .filter(Boolean);

/**
 * Creates an organisation (when `organisation` is null) or changes one: kind, names, contact address,
 * country, languages, time zone, TLP ceiling, PGP policy, report format, national CSIRT flag.
 */
export function OrganisationForm({
  organisation,
  onSaved,
  onCancel,
}: {
  organisation: Organisation | null;
  onSaved: (saved: Organisation) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const save = useSaveOrganisation();
  const form = useForm<Draft>({ mode: 'controlled', initialValues: toDraft(organisation) });

  const submit = (draft: Draft) => {
    const fields = {
      kind: draft.kind,
      name: draft.name.trim(),
      nameJa: orNull(draft.nameJa),
      contactEmail: orNull(draft.contactEmail),
      country: orNull(draft.country.toUpperCase()),
      languages: splitLanguages(draft.languages),
      timeZone: orNull(draft.timeZone),
      tlpCeiling: draft.tlpCeiling,
      pgpPolicy: draft.pgpPolicy,
      preferredFormat: draft.preferredFormat,
      isNationalCsirt: draft.isNationalCsirt,
    };
    save.mutate({ id: organisation?.id ?? null, fields }, { onSuccess: onSaved });
  };

  return (
    <form onSubmit={form.onSubmit(submit)} data-testid="organisation-form">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label={t('contacts.fields.name')} required maxLength={300} {...form.getInputProps('name')} data-testid="org-name" />
          <TextInput label={t('contacts.edit.nameJa')} maxLength={300} {...form.getInputProps('nameJa')} data-testid="org-name-ja" />
          <NativeSelect
            label={t('contacts.fields.kind')}
            data={ORGANISATION_KINDS.map((value) => ({ value, label: t(`contacts.kinds.${value}`) }))}
            {...form.getInputProps('kind')}
            data-testid="org-kind"
          />
          <TextInput
            label={t('contacts.fields.contactEmail')}
            type="email"
            maxLength={254}
            {...form.getInputProps('contactEmail')}
            data-testid="org-contact-email"
          />
          <TextInput
            label={t('contacts.fields.country')}
            description={t('contacts.edit.countryHint')}
            maxLength={2}
            {...form.getInputProps('country')}
            onChange={(event) => form.setFieldValue('country', event.currentTarget.value.toUpperCase())}
            data-testid="org-country"
          />
          <TextInput
            label={t('contacts.fields.languages')}
            description={t('contacts.edit.languagesHint')}
            maxLength={60}
            {...form.getInputProps('languages')}
            data-testid="org-languages"
          />
          <TextInput
            label={t('contacts.fields.timeZone')}
            placeholder="Asia/Tokyo"
            maxLength={64}
            {...form.getInputProps('timeZone')}
            data-testid="org-time-zone"
          />
          <NativeSelect
            label={t('contacts.fields.tlpCeiling')}
            data={TLP_LEVELS.map((value) => ({ value, label: tlpLabel(value) }))}
            {...form.getInputProps('tlpCeiling')}
            data-testid="org-tlp-ceiling"
          />
          <NativeSelect
            label={t('contacts.edit.pgpPolicy')}
            data={PGP_POLICIES.map((value) => ({ value, label: t(`contacts.pgpPolicies.${value}`) }))}
            {...form.getInputProps('pgpPolicy')}
            data-testid="org-pgp-policy"
          />
          <NativeSelect
            label={t('contacts.fields.preferredFormat')}
            data={REPORT_FORMATS.map((value) => ({ value, label: t(`contacts.formats.${value}`) }))}
            {...form.getInputProps('preferredFormat')}
            data-testid="org-preferred-format"
          />
        </SimpleGrid>
        <Checkbox
          label={t('contacts.fields.nationalCsirt')}
          {...form.getInputProps('isNationalCsirt', { type: 'checkbox' })}
          data-testid="org-national-csirt"
        />
        {save.error !== null && <ErrorAlert error={save.error} onClose={save.reset} data-testid="organisation-form-error" />}
        <Group gap="sm">
          <Button type="submit" loading={save.isPending} disabled={!form.values.name.trim()} data-testid="organisation-save">
            {t(organisation ? 'contacts.edit.save' : 'contacts.edit.create')}
          </Button>
          {onCancel && (
            <Button variant="default" onClick={onCancel} data-testid="organisation-cancel">
              {t('contacts.edit.cancel')}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
