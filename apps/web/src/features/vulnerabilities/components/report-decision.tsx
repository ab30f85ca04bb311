import { Alert, Button, Checkbox, Group, Modal, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type VulnerabilityReportDetail, useAcceptReport, useDeclineReport } from '../api/vulnerabilities.ts';

/**
 * Accept (opens a case; optional title ja/en; multi-party gives a JVNVU# public ID) or decline (with the
 * reason the finder is sent), each behind a confirmation, since the finder is told at once.
 */
export function ReportDecision({ report }: { report: VulnerabilityReportDetail }) {
  const { t } = useTranslation();
  const [accepting, accept] = useDisclosure(false);
  const [declining, decline] = useDisclosure(false);
  return (
    <Group gap="sm">
      <Button color="green" onClick={accept.open} data-testid="vreport-accept">
        {t('vulnerabilities.report.accept')}
      </Button>
      <Button color="red" variant="light" onClick={decline.open} data-testid="vreport-decline">
        {t('vulnerabilities.report.decline')}
      </Button>
      {accepting && <AcceptModal report={report} onClose={accept.close} />}
      {declining && <DeclineModal report={report} onClose={decline.close} />}
    </Group>
  );
}

function AcceptModal({ report, onClose }: { report: VulnerabilityReportDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const run = useAcceptReport(report.id);
  const form = useForm({ initialValues: { titleJa: '', title: report.title, multiParty: false } });
  const submit = form.onSubmit((values) => {
    run.mutate(
      {
        ...(values.title.trim() ? { title: values.title.trim() } : {}),
        ...(values.titleJa.trim() ? { titleJa: values.titleJa.trim() } : {}),
        multiParty: values.multiParty,
      },
      { onSuccess: (created) => void navigate({ to: '/cases/$caseId', params: { caseId: created.id } }) },
    );
  });
  return (
    <Modal opened onClose={onClose} title={t('vulnerabilities.report.acceptTitle', { reference: report.reference })} size="lg">
      <form onSubmit={submit} data-testid="accept-form">
        <Stack gap="sm">
          <Text size="sm">{t('vulnerabilities.report.acceptExplain')}</Text>
          <TextInput label={t('vulnerabilities.report.caseTitleJa')} maxLength={500} data-testid="accept-title-ja" {...form.getInputProps('titleJa')} />
          <TextInput label={t('vulnerabilities.report.caseTitleEn')} maxLength={500} data-testid="accept-title" {...form.getInputProps('title')} />
          <Checkbox
            label={t('vulnerabilities.report.multiParty')}
            description={t('vulnerabilities.report.multiPartyHelp')}
            data-testid="accept-multi-party"
            {...form.getInputProps('multiParty', { type: 'checkbox' })}
          />
          {run.error !== null && <ErrorAlert error={run.error} onClose={run.reset} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('vulnerabilities.cancel')}
            </Button>
            <Button type="submit" color="green" loading={run.isPending} data-testid="accept-confirm">
              {t('vulnerabilities.report.acceptConfirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeclineModal({ report, onClose }: { report: VulnerabilityReportDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const run = useDeclineReport(report.id);
  const form = useForm({
    initialValues: { reason: '' },
    validate: { reason: (value) => (value.trim() === '' ? t('vulnerabilities.report.reasonRequired') : null) },
  });
  return (
    <Modal opened onClose={onClose} title={t('vulnerabilities.report.declineTitle', { reference: report.reference })} size="lg">
      <form onSubmit={form.onSubmit((values) => run.mutate(values.reason.trim(), { onSuccess: onClose }))} data-testid="decline-form">
        <Stack gap="sm">
          <Alert color="yellow" variant="light">
            {t('vulnerabilities.report.declineExplain')}
          </Alert>
          <Textarea
            label={t('vulnerabilities.report.reason')}
            autosize
            minRows={3}
            maxRows={10}
            maxLength={10_000}
            required
            data-testid="decline-reason"
            {...form.getInputProps('reason')}
          />
          {run.error !== null && <ErrorAlert error={run.error} onClose={run.reset} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('vulnerabilities.cancel')}
            </Button>
            <Button type="submit" color="red" loading={run.isPending} data-testid="decline-confirm">
              {t('vulnerabilities.report.declineConfirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
