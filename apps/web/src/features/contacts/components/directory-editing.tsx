import { Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { NETWORK_KINDS, type NetworkKind } from '@renkei/contract';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { addNetwork, createPerson } from '../api/contacts.ts';
import { splitLanguages } from './organisation-form.tsx';

const orNull = (text: string) => (text.trim() ? text.trim() : null);

/** Runs a save with its busy flag and error, for the small forms below. */
function useSave() {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<void>) => {
    setSaving(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };
  return { saving, error, setError, run };
}

const EMPTY_PERSON = { name: '', nameJa: '', roleTitle: '', email: '', phone: '', emergencyPhone: '', languages: '', isRoleAddress: false };

/** Adds a person or role address to an organisation. */
export function AddPersonForm({ organisationId, onAdded }: { organisationId: string; onAdded: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(EMPTY_PERSON);
  const { saving, error, setError, run } = useSave();
  const set = <K extends keyof typeof EMPTY_PERSON>(key: K, value: (typeof EMPTY_PERSON)[K]) => setDraft((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await createPerson(organisationId, {
        name: draft.name.trim(),
        nameJa: orNull(draft.nameJa),
        roleTitle: orNull(draft.roleTitle),
        email: orNull(draft.email),
        phone: orNull(draft.phone),
        emergencyPhone: orNull(draft.emergencyPhone),
        languages: splitLanguages(draft.languages),
        isRoleAddress: draft.isRoleAddress,
      });
      setDraft(EMPTY_PERSON);
      onAdded();
    });
  };

  return (
    <form onSubmit={submit} data-testid="add-person">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label={t('contacts.fields.name')}
            required
            maxLength={300}
            value={draft.name}
            onChange={(event) => set('name', event.currentTarget.value)}
            data-testid="person-name-input"
          />
          <TextInput
            label={t('contacts.edit.nameJa')}
            maxLength={300}
            value={draft.nameJa}
            onChange={(event) => set('nameJa', event.currentTarget.value)}
            data-testid="person-name-ja-input"
          />
          <TextInput
            label={t('contacts.people.roleTitle')}
            maxLength={300}
            value={draft.roleTitle}
            onChange={(event) => set('roleTitle', event.currentTarget.value)}
            data-testid="person-role-input"
          />
          <TextInput
            label={t('contacts.fields.contactEmail')}
            type="email"
            maxLength={254}
            value={draft.email}
            onChange={(event) => set('email', event.currentTarget.value)}
            data-testid="person-email-input"
          />
          <TextInput
            label={t('contacts.fields.contactPhone')}
            maxLength={64}
            value={draft.phone}
            onChange={(event) => set('phone', event.currentTarget.value)}
            data-testid="person-phone-input"
          />
          <TextInput
            label={t('contacts.people.emergencyPhone')}
            maxLength={64}
            value={draft.emergencyPhone}
            onChange={(event) => set('emergencyPhone', event.currentTarget.value)}
            data-testid="person-emergency-phone-input"
          />
          <TextInput
            label={t('contacts.fields.languages')}
            description={t('contacts.edit.languagesHint')}
            maxLength={60}
            value={draft.languages}
            onChange={(event) => set('languages', event.currentTarget.value)}
            data-testid="person-languages-input"
          />
        </SimpleGrid>
        <Checkbox
          label={t('contacts.people.roleAddress')}
          checked={draft.isRoleAddress}
          onChange={(event) => set('isRoleAddress', event.currentTarget.checked)}
          data-testid="person-role-address-input"
        />
        {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} data-testid="add-person-error" />}
        <Button type="submit" loading={saving} disabled={!draft.name.trim()} style={{ alignSelf: 'flex-start' }} data-testid="add-person-submit">
          {t('contacts.edit.addPerson')}
        </Button>
      </Stack>
    </form>
  );
}

/** Adds an AS number, prefix or domain with its abuse address; a bad value shows the server's reason (e.g. host bits set). */
export function AddNetworkForm({ organisationId, onAdded }: { organisationId: string; onAdded: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<NetworkKind | ''>('');
  const [value, setValue] = useState('');
  const [abuseEmail, setAbuseEmail] = useState('');
  const { saving, error, setError, run } = useSave();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await addNetwork(organisationId, { ...(kind ? { kind } : {}), value: value.trim(), abuseEmail: orNull(abuseEmail) });
      setValue('');
      onAdded();
    });
  };

  return (
    <form onSubmit={submit} data-testid="add-network">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <NativeSelect
            label={t('contacts.networks.kind')}
            data={[{ value: '', label: t('contacts.edit.inferKind') }, ...NETWORK_KINDS.map((k) => ({ value: k, label: t(`contacts.networks.kinds.${k}`) }))]}
            value={kind}
            onChange={(event) => setKind(event.currentTarget.value as NetworkKind | '')}
            w={180}
            data-testid="network-kind-input"
          />
          <TextInput
            label={t('contacts.networks.value')}
            placeholder="AS64500, 192.0.2.0/24, example.jp"
            required
            maxLength={300}
            value={value}
            onChange={(event) => setValue(event.currentTarget.value)}
            style={{ flex: 1, minWidth: 200 }}
            data-testid="network-value-input"
          />
          <TextInput
            label={t('contacts.networks.abuseEmail')}
            type="email"
            maxLength={254}
            value={abuseEmail}
            onChange={(event) => setAbuseEmail(event.currentTarget.value)}
            style={{ flex: 1, minWidth: 200 }}
            data-testid="network-abuse-input"
          />
          <Button type="submit" loading={saving} disabled={!value.trim()} data-testid="add-network-submit">
            {t('contacts.edit.addNetwork')}
          </Button>
        </Group>
        {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} data-testid="add-network-error" />}
      </Stack>
    </form>
  );
}

/** A remove button that asks once more in place (no browser dialog) before calling `onConfirm`. */
export function RemoveButton({ onConfirm, testId, children }: { onConfirm: () => Promise<void>; testId: string; children?: ReactNode }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const { saving, error, run } = useSave();
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
        <Button size="compact-xs" color="red" loading={saving} onClick={() => void run(onConfirm)} data-testid={`${testId}-confirm`}>
          {t('contacts.edit.confirmRemove')}
        </Button>
        <Button size="compact-xs" variant="default" onClick={() => setAsking(false)}>
          {t('contacts.edit.cancel')}
        </Button>
      </Group>
      {error !== null && <ErrorAlert error={error} />}
    </Stack>
  );
}
