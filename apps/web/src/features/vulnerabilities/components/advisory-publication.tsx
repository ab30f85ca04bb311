import { Alert, Button, Checkbox, Group, List, Modal, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type AdvisoryRevisionSummary, type Publication, useReleaseEarly } from '../api/advisories.ts';
import { InstantBoth } from './embargo-panel.tsx';

/**
 * Where the advisory stands on its way out: published (its public ID), or the approved revision, the
 * instant the publication job runs (viewer's zone, named, and UTC) and what still stands in its way;
 * and, for the team, the early release.
 */
export function PublicationState({
  caseId,
  publication,
  revisions,
  canRelease,
}: {
  caseId: string;
  publication: Publication;
  revisions: AdvisoryRevisionSummary[];
  canRelease: boolean;
}) {
  const { t } = useTranslation();
  const approved = revisions.find((r) => r.state === 'approved') ?? null;

  if (publication.published) {
    return (
      <Paper withBorder p="md" bg="var(--mantine-color-blue-0)" data-testid="publication-state" data-published="true">
        <Text size="sm" c="dimmed">
          {t('advisory.publication.published')}
        </Text>
        <Text size="xl" fw={700} ff="monospace" data-testid="publication-public-id">
          {publication.publicId}
        </Text>
        <Text size="sm">
          {t('advisory.publication.publishedAt', { revision: publication.revision ?? 0 })}{' '}
          {publication.publishedAt && <DateTime value={publication.publishedAt} />}
        </Text>
      </Paper>
    );
  }
  return (
    <Paper withBorder p="md" data-testid="publication-state" data-published="false">
      <Stack gap="xs">
        <Text size="sm" data-testid="publication-approved">
          {approved ? (
            <>
              {t('advisory.publication.approved', { number: approved.number, by: approved.approvedByName ?? t('advisory.revisions.unknownUser') })}
              {approved.approvedAt && (
                <>
                  {' · '}
                  <DateTime value={approved.approvedAt} />
                </>
              )}
            </>
          ) : (
            t('advisory.publication.notApproved')
          )}
        </Text>
        <div>
          <Text size="xs" c="dimmed" fw={500}>
            {t('advisory.publication.dueAt')}
          </Text>
          {publication.dueAt ? (
            <Text fw={700}>
              <InstantBoth value={publication.dueAt} testId="publication-due" />
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              {t('advisory.publication.noInstant')}
            </Text>
          )}
        </div>
        {publication.blockers.length === 1 && publication.blockers[0] === 'not_due' ? (
          <Text size="sm" c="green.8" data-testid="publication-ready">
            {t('advisory.publication.ready')}
          </Text>
        ) : (
          <List size="sm" data-testid="publication-blockers">
            {publication.blockers.map((blocker) => (
              <List.Item key={blocker} data-blocker={blocker}>
                {t(`advisory.publication.blockers.${blocker}`)}
              </List.Item>
            ))}
          </List>
        )}
        {canRelease && <ReleaseEarly caseId={caseId} />}
      </Stack>
    </Paper>
  );
}

/** Release early: a reason is required, and a confirmation dialog stands before it. */
function ReleaseEarly({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const release = useReleaseEarly(caseId);
  const [outcome, setOutcome] = useState<{ published: boolean; notified: number } | null>(null);
  const form = useForm({
    initialValues: { reason: '', exploitationSeen: true },
    validate: { reason: (value) => (value.trim() === '' ? t('advisory.publication.reasonRequired') : null) },
  });
  return (
    <>
      <Group>
        <Button color="orange" variant="light" size="xs" onClick={open} data-testid="release-early">
          {t('advisory.publication.releaseEarly')}
        </Button>
      </Group>
      {outcome && (
        <Alert color="orange" variant="light" data-testid="release-outcome">
          {t(outcome.published ? 'advisory.publication.released' : 'advisory.publication.releasedPending', { notified: outcome.notified })}
        </Alert>
      )}
      <Modal opened={opened} onClose={close} title={t('advisory.publication.releaseTitle')} data-testid="release-modal">
        <form
          onSubmit={form.onSubmit((values) =>
            release.mutate(
              { reason: values.reason.trim(), exploitationSeen: values.exploitationSeen },
              {
                onSuccess: (result) => {
                  setOutcome(result);
                  form.reset();
                  close();
                },
              },
            ),
          )}
        >
          <Stack gap="sm">
            <Text size="sm">{t('advisory.publication.releaseHelp')}</Text>
            <Textarea
              label={t('advisory.publication.reason')}
              withAsterisk
              autosize
              minRows={3}
              maxLength={5000}
              data-testid="release-reason"
              {...form.getInputProps('reason')}
            />
            <Checkbox
              label={t('advisory.publication.exploitationSeen')}
              data-testid="release-exploited"
              {...form.getInputProps('exploitationSeen', { type: 'checkbox' })}
            />
            {release.error !== null && <ErrorAlert error={release.error} onClose={release.reset} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('vulnerabilities.cancel')}
              </Button>
              <Button type="submit" color="orange" loading={release.isPending} data-testid="release-confirm">
                {t('advisory.publication.releaseConfirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
