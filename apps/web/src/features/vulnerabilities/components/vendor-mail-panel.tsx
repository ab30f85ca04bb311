import { Alert, Badge, Button, Group, MultiSelect, Paper, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { VENDOR_MAIL_TEMPLATES, isStaffRole } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import { useMe } from '../../../lib/session.tsx';
import { type VendorMailDraft, type VendorMailTemplate, useDraftVendorMails, useSendVendorMails } from '../api/vendor-mail.ts';
import type { CaseDetail } from '../api/vulnerabilities.ts';
import { isHandler } from '../labels.ts';
import { EncryptionBadge, VendorMailSent } from './vendor-mail-sent.tsx';

interface DraftValues {
  drafts: VendorMailDraft[];
}

/**
 * The team's mail to the case's vendors: pick vendors (none picked = all) and a template, read each draft
 * in its vendor's language with whether it goes encrypted, edit it, send; then the sent mails with their
 * delivery. Only those who run cases see it (the server refuses anyone else).
 */
export function VendorMailPanel({ detail }: { detail: CaseDetail }) {
  const me = useMe();
  if (!me.roles.some((role) => isStaffRole(role)) || !isHandler(me.roles)) return null;
  return <VendorMailSection detail={detail} />;
}

function VendorMailSection({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const vendors = detail.participants.filter((p) => p.role === 'vendor');
  const [template, setTemplate] = useState<VendorMailTemplate>('initial');
  const [chosen, setChosen] = useState<string[]>([]);
  const [sentCount, setSentCount] = useState<number | null>(null);
  const draft = useDraftVendorMails(detail.id);
  const send = useSendVendorMails(detail.id);
  const form = useForm<DraftValues>({
    initialValues: { drafts: [] },
    validate: {
      drafts: {
        subject: (value) =>
          value.trim() === '' ? t('vulnerabilities.vendorMail.subjectRequired') : value.length > 500 ? t('vulnerabilities.vendorMail.tooLong') : null,
        body: (value) =>
          value.trim() === '' ? t('vulnerabilities.vendorMail.bodyRequired') : value.length > 100_000 ? t('vulnerabilities.vendorMail.tooLong') : null,
      },
    },
  });
  const sendable = form.values.drafts.filter((d) => d.to !== null);

  const makeDrafts = () => {
    setSentCount(null);
    draft.mutate({ template, ...(chosen.length > 0 ? { participantIds: chosen } : {}) }, { onSuccess: (drafts) => form.setValues({ drafts }) });
  };
  const submit = form.onSubmit((values) => {
    const mails = values.drafts
      .filter((d) => d.to !== null)
      .map((d) => ({ participantId: d.participantId, template: d.template, subject: d.subject, body: d.body }));
    send.mutate(mails, {
      onSuccess: (result) => {
        setSentCount(result.ids.length);
        form.setValues({ drafts: [] });
      },
    });
  });

  return (
    <Section title={t('vulnerabilities.vendorMail.title')} description={t('vulnerabilities.vendorMail.help')} testId="vendor-mail-panel">
      {vendors.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('vulnerabilities.vendorMail.noVendors')}
        </Text>
      ) : (
        <Group align="flex-end" wrap="wrap">
          <Select
            label={t('vulnerabilities.vendorMail.template')}
            data={VENDOR_MAIL_TEMPLATES.map((value) => ({ value, label: t(`vulnerabilities.vendorMail.templates.${value}`) }))}
            value={template}
            onChange={(value) => value && setTemplate(value as VendorMailTemplate)}
            allowDeselect={false}
            data-testid="vendor-mail-template"
          />
          <MultiSelect
            label={t('vulnerabilities.vendorMail.vendors')}
            placeholder={chosen.length === 0 ? t('vulnerabilities.vendorMail.allVendors') : undefined}
            data={vendors.map((p) => ({ value: p.id, label: p.name }))}
            value={chosen}
            onChange={setChosen}
            clearable
            searchable
            miw={280}
            data-testid="vendor-mail-vendors"
          />
          <Button onClick={makeDrafts} loading={draft.isPending} data-testid="vendor-mail-make-drafts">
            {t('vulnerabilities.vendorMail.makeDrafts')}
          </Button>
        </Group>
      )}
      {draft.error !== null && <ErrorAlert error={draft.error} onClose={draft.reset} />}
      {sentCount !== null && (
        <Alert color="green" data-testid="vendor-mail-sent-notice" withCloseButton onClose={() => setSentCount(null)}>
          {t('vulnerabilities.vendorMail.sentNotice', { count: sentCount })}
        </Alert>
      )}
      {form.values.drafts.length > 0 && (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            {form.values.drafts.map((d, index) => (
              <DraftCard key={d.participantId} draft={d} index={index} form={form} />
            ))}
            {send.error !== null && <ErrorAlert error={send.error} onClose={send.reset} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => form.setValues({ drafts: [] })}>
                {t('vulnerabilities.cancel')}
              </Button>
              <Button type="submit" loading={send.isPending} disabled={sendable.length === 0} data-testid="vendor-mail-send">
                {t('vulnerabilities.vendorMail.send', { count: sendable.length })}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      <VendorMailSent caseId={detail.id} />
    </Section>
  );
}

function DraftCard({ draft, index, form }: { draft: VendorMailDraft; index: number; form: ReturnType<typeof useForm<DraftValues>> }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" data-testid="vendor-mail-draft" data-language={draft.language} data-encrypted={String(draft.encrypted)}>
      <Stack gap="xs">
        <Group gap="xs" wrap="wrap">
          <Text fw={600}>{draft.vendorName}</Text>
          <Text size="sm" c="dimmed" ff="monospace">
            {draft.to ?? '—'}
          </Text>
          <Badge variant="outline" color="gray" data-testid="vendor-mail-language">
            {t(`vulnerabilities.vendorMail.language.${draft.language}`)}
          </Badge>
          <EncryptionBadge encrypted={draft.encrypted} />
        </Group>
        {draft.to === null ? (
          <Alert color="red" data-testid="vendor-mail-no-address">
            {t('vulnerabilities.vendorMail.noAddress')}
          </Alert>
        ) : (
          <>
            <TextInput
              label={t('vulnerabilities.vendorMail.subject')}
              description={t('vulnerabilities.vendorMail.subjectClear')}
              maxLength={500}
              data-testid="vendor-mail-subject"
              {...form.getInputProps(`drafts.${index}.subject`)}
            />
            {!draft.encrypted && (
              <Alert color="orange" title={t('vulnerabilities.vendorMail.noticeOnlyTitle')} data-testid="vendor-mail-notice-only">
                <Text size="sm">{t('vulnerabilities.vendorMail.noticeOnly')}</Text>
                <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="vendor-mail-notice-body">
                  {draft.noticeBody}
                </Text>
              </Alert>
            )}
            <Textarea
              label={draft.encrypted ? t('vulnerabilities.vendorMail.bodyEncrypted') : t('vulnerabilities.vendorMail.bodyOnCase')}
              autosize
              minRows={6}
              maxRows={20}
              data-testid="vendor-mail-body"
              {...form.getInputProps(`drafts.${index}.body`)}
            />
          </>
        )}
      </Stack>
    </Paper>
  );
}
