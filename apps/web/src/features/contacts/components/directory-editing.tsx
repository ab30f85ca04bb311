import { Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { NETWORK_KINDS, type NetworkKind } from '@renkei/contract';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useAddNetwork, useCreatePerson } from '../api/contacts.ts';
import { splitLanguages } from './organisation-form.tsx';

const orNull = (text: string) => (text.trim() ? text.trim() : null);

const EMPTY_PERSON = { name: '', nameJa: '', roleTitle: '', email: '', phone: '', emergencyPhone: '', languages: '', isRoleAddress: false };

/** Adds a person or role address to an organisation. */
export function AddPersonForm({ organisationId }: { organisationId: string }) {
  const { t } = useTranslation();
  const form = useForm({ mode: 'controlled', initialValues: EMPTY_PERSON });
  const create = useCreatePerson(organisationId);

  const submit = (draft: typeof EMPTY_PERSON) => {
    create.mutate(
      {
        name: draft.name.trim(),
        nameJa: orNull(draft.nameJa),
        roleTitle: orNull(draft.roleTitle),
        email: orNull(draft.email),
        phone: orNull(draft.phone),
        emergencyPhone: orNull(draft.emergencyPhone),
        languages: splitLanguages(draft.languages),
        isRoleAddress: draft.isRoleAddress,
      },
      { onSuccess: () => form.reset() },
    );
  };

  return (
    <form onSubmit={form.onSubmit(submit)} data-testid="add-person">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput label={t('contacts.fields.name')} required maxLength={300} {...form.getInputProps('name')} data-testid="person-name-input" />
          <TextInput label={t('contacts.edit.nameJa')} maxLength={300} {...form.getInputProps('nameJa')} data-testid="person-name-ja-input" />
          <TextInput label={t('contacts.people.roleTitle')} maxLength={300} {...form.getInputProps('roleTitle')} data-testid="person-role-input" />
          <TextInput label={t('contacts.fields.contactEmail')} type="email" maxLength={254} {...form.getInputProps('email')} data-testid="person-email-input" />
          <TextInput label={t('contacts.fields.contactPhone')} maxLength={64} {...form.getInputProps('phone')} data-testid="person-phone-input" />
          <TextInput
            label={t('contacts.people.emergencyPhone')}
            maxLength={64}
            {...form.getInputProps('emergencyPhone')}
            data-testid="person-emergency-phone-input"
          />
          <TextInput
            label={t('contacts.fields.languages')}
            description={t('contacts.edit.languagesHint')}
            maxLength={60}
            {...form.getInputProps('languages')}
            data-testid="person-languages-input"
          />
        </SimpleGrid>
        <Checkbox
          label={t('contacts.people.roleAddress')}
          {...form.getInputProps('isRoleAddress', { type: 'checkbox' })}
          data-testid="person-role-address-input"
        />
        {create.error !== null && <ErrorAlert error={create.error} onClose={create.reset} data-testid="add-person-error" />}
        <Button
          type="submit"
          loading={create.isPending}
          disabled={!form.values.name.trim()}
          style={{ alignSelf: 'flex-start' }}
          data-testid="add-person-submit"
        >
          {t('contacts.edit.addPerson')}
        </Button>
      </Stack>
    </form>
  );
}

/** Adds an AS number, prefix or domain with its abuse address; a bad value shows the server's reason (e.g. host bits set). */
export function AddNetworkForm({ organisationId }: { organisationId: string }) {
  const { t } = useTranslation();
  const form = useForm<{ kind: NetworkKind | ''; value: string; abuseEmail: string }>({
    mode: 'controlled',
    initialValues: { kind: '', value: '', abuseEmail: '' },
  });
  const add = useAddNetwork(organisationId);

  const submit = ({ kind, value, abuseEmail }: typeof form.values) => {
    add.mutate({ ...(kind ? { kind } : {}), value: value.trim(), abuseEmail: orNull(abuseEmail) }, { onSuccess: () => form.setFieldValue('value', '') });
  };

  return (
    <form onSubmit={form.onSubmit(submit)} data-testid="add-network">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <NativeSelect
            label={t('contacts.networks.kind')}
            data={[{ value: '', label: t('contacts.edit.inferKind') }, ...NETWORK_KINDS.map((k) => ({ value: k, label: t(`contacts.networks.kinds.${k}`) }))]}
            {...form.getInputProps('kind')}
            w={180}
            data-testid="network-kind-input"
          />
          <TextInput
            label={t('contacts.networks.value')}
            placeholder="AS64500, 192.0.2.0/24, example.jp"
            required
            maxLength={300}
            {...form.getInputProps('value')}
            style={{ flex: 1, minWidth: 200 }}
            data-testid="network-value-input"
          />
          <TextInput
            label={t('contacts.networks.abuseEmail')}
            type="email"
            maxLength={254}
            {...form.getInputProps('abuseEmail')}
            style={{ flex: 1, minWidth: 200 }}
            data-testid="network-abuse-input"
          />
          <Button type="submit" loading={add.isPending} disabled={!form.values.value.trim()} data-testid="add-network-submit">
            {t('contacts.edit.addNetwork')}
          </Button>
        </Group>
        {add.error !== null && <ErrorAlert error={add.error} onClose={add.reset} data-testid="add-network-error" />}
      </Stack>
    </form>
  );
}

/** A remove button that asks once more in place (no browser dialog) before calling `onConfirm`. */
export function RemoveButton({ onConfirm, testId, children }: { onConfirm: () => Promise<void>; testId: string; children?: ReactNode }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const remove = useMutation({ mutationFn: onConfirm });
  if (!asking) {
    return (
      <Button size="compact-xs" variant="subtle" color="red" onClick={() => setAsking(true)} data-testid={testId}>
        {children ?? t('contacts.edit.remove')}
      </Button>
    );
  }
  return (
    <Stack gap={4}>
      <Group gap={4} wrap="nowrap">
        <Button size="compact-xs" color="red" loading={remove.isPending} onClick={() => remove.mutate()} data-testid={`${testId}-confirm`}>
          {t('contacts.edit.confirmRemove')}
        </Button>
        <Button size="compact-xs" variant="default" onClick={() => setAsking(false)}>
          {t('contacts.edit.cancel')}
        </Button>
      </Group>
      {remove.error !== null && <ErrorAlert error={remove.error} />}
    </Stack>
  );
}
