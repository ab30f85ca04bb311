import { Button, Group, Modal, Stack, Tabs, Text } from '@mantine/core';
import { isStaffRole } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { LoadingView, QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { useMe } from '../../../lib/session.tsx';
import { type AdvisoryContent, type AdvisoryView, isNoAdvisory, useAdvisory, useAdvisoryPreview, useDraftAdvisory, usePublication } from '../api/advisories.ts';
import type { CaseDetail } from '../api/vulnerabilities.ts';
import { isHandler } from '../labels.ts';
import { AdvisoryDocument } from './advisory-document.tsx';
import { AdvisoryEditor } from './advisory-editor.tsx';
import { PublicationState } from './advisory-publication.tsx';
import { AdvisoryRevisions, RevisionBadge } from './advisory-revisions.tsx';

const APPROVERS = ['admin', 'publisher'];

/**
 * The case's advisory. The team (staff) sees where publication stands, edits (handlers), reads and
 * approves revisions (publishers); a participant sees the preview the server gives it, read-only.
 */
export function AdvisoryPanel({ detail }: { detail: CaseDetail }) {
  const me = useMe();
  const isStaff = me.roles.some((role) => isStaffRole(role));
  if (!isStaff) return <ParticipantPreview caseId={detail.id} />;
  return <TeamAdvisory caseId={detail.id} canEdit={isHandler(me.roles)} canApprove={me.roles.some((role) => APPROVERS.includes(role))} />;
}

function TeamAdvisory({ caseId, canEdit, canApprove }: { caseId: string; canEdit: boolean; canApprove: boolean }) {
  const { t } = useTranslation();
  const advisory = useAdvisory(caseId);
  const publication = usePublication(caseId);
  const draft = useDraftAdvisory(caseId);
  const published = publication.data?.published === true;

  return (
    <Section title={t('advisory.title')} description={t('advisory.help')} testId="advisory-panel">
      {publication.data && <PublicationState caseId={caseId} publication={publication.data} revisions={advisory.data?.revisions ?? []} canRelease={canEdit} />}
      {publication.isError && <ErrorAlert error={publication.error} onRetry={() => void publication.refetch()} />}
      {draft.error !== null && <ErrorAlert error={draft.error} onClose={draft.reset} />}
      {advisory.isError && isNoAdvisory(advisory.error) ? (
        <Stack gap="xs" data-testid="advisory-none">
          <Text size="sm" c="dimmed">
            {t('advisory.none')}
          </Text>
          {canEdit && (
            <Button w="fit-content" loading={draft.isPending} onClick={() => draft.mutate(undefined)} data-testid="advisory-draft">
              {t('advisory.draft')}
            </Button>
          )}
        </Stack>
      ) : (
        <QueryView query={advisory}>
          {(view) => (
            <TeamTabs
              caseId={caseId}
              view={view}
              canEdit={canEdit && !published && view.latest.state !== 'published'}
              canApprove={canApprove && !published}
              publishedDocument={publication.data?.document ?? null}
              onRedraft={() => draft.mutate(undefined)}
              redrafting={draft.isPending}
            />
          )}
        </QueryView>
      )}
    </Section>
  );
}

function TeamTabs({
  caseId,
  view,
  canEdit,
  canApprove,
  onRedraft,
  redrafting,
  publishedDocument,
}: {
  caseId: string;
  view: AdvisoryView;
  /** Once published, the frozen record: the preview shows it, not a later draft. */
  publishedDocument: AdvisoryContent | null;
  canEdit: boolean;
  canApprove: boolean;
  onRedraft: () => void;
  redrafting: boolean;
}) {
  const { t } = useTranslation();
  const { latest } = view;
  const [tab, setTab] = useState<string | null>(canEdit ? 'edit' : 'preview');
  // Published meanwhile: the editor is gone, so its tab gives way to the preview.
  const current = tab === 'edit' && !canEdit ? 'preview' : tab;
  const [confirming, setConfirming] = useState(false);
  return (
    <Tabs value={current} onChange={setTab} keepMounted={false} data-testid="advisory-tabs">
      <Tabs.List>
        {canEdit && (
          <Tabs.Tab value="edit" data-testid="advisory-tab-edit">
            {t('advisory.tabs.edit')}
          </Tabs.Tab>
        )}
        <Tabs.Tab value="preview" data-testid="advisory-tab-preview">
          {t('advisory.tabs.preview')}
        </Tabs.Tab>
        <Tabs.Tab value="revisions" data-testid="advisory-tab-revisions">
          {t('advisory.tabs.revisions', { count: view.revisions.length })}
        </Tabs.Tab>
      </Tabs.List>
      <Group gap="xs" mt="sm" justify="space-between">
        <Group gap="xs" data-testid="advisory-latest" data-number={latest.number} data-state={latest.state}>
          <Text size="sm">{t('advisory.revisionLabel', { number: latest.number })}</Text>
          <RevisionBadge state={latest.state} />
        </Group>
        {canEdit && (
          <Button variant="default" size="compact-sm" loading={redrafting} onClick={() => setConfirming(true)} data-testid="advisory-redraft">
            {t('advisory.redraft')}
          </Button>
        )}
      </Group>
      {/* A new draft replaces the form's unsaved edits: it is asked for twice. */}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('advisory.redraft')}>
        <Text size="sm">{t('advisory.redraftHelp')}</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirming(false)}>
            {t('vulnerabilities.cancel')}
          </Button>
          <Button
            data-testid="advisory-redraft-confirm"
            onClick={() => {
              setConfirming(false);
              onRedraft();
            }}
          >
            {t('advisory.redraft')}
          </Button>
        </Group>
      </Modal>
      {canEdit && (
        <Tabs.Panel value="edit" pt="md">
          {/* Keyed by revision: a new revision (saved here or elsewhere) starts the form from it. */}
          <AdvisoryEditor key={latest.number} caseId={caseId} latest={latest} />
        </Tabs.Panel>
      )}
      <Tabs.Panel value="preview" pt="md">
        <AdvisoryDocument content={publishedDocument ?? latest.content} testId="advisory-team-preview" />
      </Tabs.Panel>
      <Tabs.Panel value="revisions" pt="md">
        <AdvisoryRevisions caseId={caseId} revisions={view.revisions} canApprove={canApprove} />
      </Tabs.Panel>
    </Tabs>
  );
}

/** A participant's read-only preview: the approved revision, else the latest draft, trimmed by the server to its own vendor rows. */
function ParticipantPreview({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const preview = useAdvisoryPreview(caseId);
  return (
    <Section title={t('advisory.title')} description={t('advisory.participantHelp')} testId="advisory-panel">
      {preview.isError && isNoAdvisory(preview.error) ? (
        <Text size="sm" c="dimmed" data-testid="advisory-none">
          {t('advisory.noneParticipant')}
        </Text>
      ) : preview.isError ? (
        <ErrorAlert error={preview.error} onRetry={() => void preview.refetch()} />
      ) : !preview.data ? (
        <LoadingView />
      ) : (
        <Stack gap="xs" data-testid="advisory-preview" data-number={preview.data.number}>
          <Group gap="xs">
            <Text size="sm">{t('advisory.revisionLabel', { number: preview.data.number })}</Text>
            <RevisionBadge state={preview.data.state} />
          </Group>
          <AdvisoryDocument content={preview.data.content} testId="advisory-participant-document" />
        </Stack>
      )}
    </Section>
  );
}
