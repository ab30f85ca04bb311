import { Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import type { AdvisoryRevisionState } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { type AdvisoryRevisionSummary, useApproveRevision, useRevision } from '../api/advisories.ts';
import { AdvisoryDocument } from './advisory-document.tsx';

export const REVISION_COLOURS: Record<AdvisoryRevisionState, string> = { draft: 'gray', approved: 'green', superseded: 'yellow', published: 'blue' };

export function RevisionBadge({ state }: { state: AdvisoryRevisionState }) {
  const { t } = useTranslation();
  return (
    <Badge color={REVISION_COLOURS[state]} variant="light" data-testid="revision-state">
      {t(`advisory.state.${state}`)}
    </Badge>
  );
}

/**
 * Every revision, newest first: who saved it and when, what changed, who approved it and when. Any one
 * opens read-only as it was saved; a publisher approves a draft (after a confirmation).
 */
export function AdvisoryRevisions({ caseId, revisions, canApprove }: { caseId: string; revisions: AdvisoryRevisionSummary[]; canApprove: boolean }) {
  const { t } = useTranslation();
  const [viewing, setViewing] = useState<number | null>(null);
  const [approving, setApproving] = useState<number | null>(null);
  const approve = useApproveRevision(caseId);
  const who = (name: string | null) => name ?? t('advisory.revisions.unknownUser');

  return (
    <Stack gap="sm">
      {approve.error !== null && <ErrorAlert error={approve.error} onClose={approve.reset} />}
      <Table.ScrollContainer minWidth={760}>
        <Table striped fz="sm" data-testid="advisory-revisions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('advisory.revisions.number')}</Table.Th>
              <Table.Th>{t('advisory.revisions.state')}</Table.Th>
              <Table.Th>{t('advisory.revisions.author')}</Table.Th>
              <Table.Th>{t('advisory.revisions.created')}</Table.Th>
              <Table.Th>{t('advisory.revisions.note')}</Table.Th>
              <Table.Th>{t('advisory.revisions.approved')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {revisions.map((r) => (
              <Table.Tr key={r.number} data-testid="advisory-revision" data-number={r.number} data-state={r.state}>
                <Table.Td>{r.number}</Table.Td>
                <Table.Td>
                  <RevisionBadge state={r.state} />
                </Table.Td>
                <Table.Td>{who(r.authorName)}</Table.Td>
                <Table.Td>
                  <DateTime value={r.createdAt} />
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{r.note || '—'}</Table.Td>
                <Table.Td data-testid="revision-approval">
                  {r.approvedAt ? (
                    <>
                      {who(r.approvedByName)}
                      <br />
                      <DateTime value={r.approvedAt} />
                    </>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap" justify="flex-end">
                    <Button size="compact-xs" variant="default" onClick={() => setViewing(r.number)} data-testid="revision-view">
                      {t('advisory.revisions.view')}
                    </Button>
                    {canApprove && r.state === 'draft' && (
                      <Button size="compact-xs" color="green" onClick={() => setApproving(r.number)} data-testid="revision-approve">
                        {t('advisory.revisions.approve')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {viewing !== null && <RevisionModal caseId={caseId} number={viewing} onClose={() => setViewing(null)} />}
      <Modal opened={approving !== null} onClose={() => setApproving(null)} title={t('advisory.revisions.approve')} data-testid="approve-modal">
        <Stack>
          <Text size="sm">{t('advisory.revisions.approveConfirm', { number: approving ?? 0 })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setApproving(null)}>
              {t('vulnerabilities.cancel')}
            </Button>
            <Button
              color="green"
              loading={approve.isPending}
              data-testid="approve-confirm"
              onClick={() => approving !== null && approve.mutate(approving, { onSettled: () => setApproving(null) })}
            >
              {t('advisory.revisions.approve')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** One revision read-only, as it was saved. */
function RevisionModal({ caseId, number, onClose }: { caseId: string; number: number; onClose: () => void }) {
  const { t } = useTranslation();
  const query = useRevision(caseId, number);
  return (
    <Modal opened onClose={onClose} size="90%" title={t('advisory.revisionLabel', { number })} data-testid="revision-modal">
      <QueryView query={query}>
        {(revision) => (
          <Stack gap="sm">
            <Group gap="xs">
              <RevisionBadge state={revision.state} />
              <Text size="sm" c="dimmed">
                {revision.authorName ?? t('advisory.revisions.unknownUser')} · <DateTime value={revision.createdAt} />
              </Text>
            </Group>
            <AdvisoryDocument content={revision.content} testId="revision-document" />
          </Stack>
        )}
      </QueryView>
    </Modal>
  );
}
