import { Badge, Button, FileButton, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import type { DirectoryImportLine, DirectoryImportReport } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { useImportCsv } from '../api/contacts.ts';
import { useCanEditDirectory } from '../hooks/use-can-edit-directory.ts';

const MAX_CSV = 2 * 1024 * 1024;
const ACTION_COLOURS: Record<DirectoryImportLine['action'], string> = { create: 'green', update: 'blue', reject: 'red' };
const EXAMPLE =
  'name,name_ja,kind,country,contact_email,languages,tlp_ceiling,pgp_policy,networks,abuse_email\nExample ISP,例 ISP,isp,JP,noc@isp.example,ja en,green,preferred,AS64500 192.0.2.0/24,abuse@isp.example';

/** CSV import of organisations and networks: a dry run shows per line what would happen, then Commit applies it. */
export function CsvImportPage() {
  const { t } = useTranslation();
  const canEdit = useCanEditDirectory();
  const [csv, setCsv] = useState('');
  const [plan, setPlan] = useState<{ csv: string; report: DirectoryImportReport } | null>(null);
  const [fileTooLarge, setFileTooLarge] = useState(false);
  const importing = useImportCsv();
  const busy = importing.isPending ? (importing.variables.commit ? 'commit' : 'dry') : null;

  const run = (commit: boolean) => {
    const text = commit && plan ? plan.csv : csv;
    importing.mutate({ csv: text, commit }, { onSuccess: (report) => setPlan({ csv: text, report }) });
  };

  const readFile = async (file: File | null) => {
    if (!file) return;
    setFileTooLarge(file.size > MAX_CSV);
    if (file.size > MAX_CSV) return;
    setCsv(await file.text());
    setPlan(null);
  };

  const report = plan?.report ?? null;
  const canCommit = report !== null && !report.committed && plan?.csv === csv && report.created + report.updated > 0;

  return (
    <Stack gap="lg" maw={1100}>
      <AnchorLink to="/contacts" size="sm">
        ← {t('contacts.directory.title')}
      </AnchorLink>
      <Title order={1} size="h2">
        {t('contacts.import.title')}
      </Title>
      {!canEdit ? (
        <Text c="dimmed" data-testid="directory-read-only">
          {t('contacts.edit.readOnly')}
        </Text>
      ) : (
        <Section title={t('contacts.import.csv')} description={t('contacts.import.hint')} testId="csv-import">
          <Textarea
            label={t('contacts.import.csvLabel')}
            placeholder={EXAMPLE}
            autosize
            minRows={6}
            maxRows={20}
            value={csv}
            maxLength={MAX_CSV}
            spellCheck={false}
            styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
            onChange={(event) => setCsv(event.currentTarget.value)}
            data-testid="csv-input"
          />
          <Group gap="sm">
            <FileButton onChange={(file) => void readFile(file)} accept=".csv,text/csv,text/plain">
              {(props) => (
                <Button variant="default" {...props} data-testid="csv-file">
                  {t('contacts.import.chooseFile')}
                </Button>
              )}
            </FileButton>
            <Button onClick={() => run(false)} loading={busy === 'dry'} disabled={!csv.trim() || busy !== null} data-testid="csv-dry-run">
              {t('contacts.import.dryRun')}
            </Button>
            <Button color="green" onClick={() => run(true)} loading={busy === 'commit'} disabled={!canCommit || busy !== null} data-testid="csv-commit">
              {t('contacts.import.commit')}
            </Button>
          </Group>
          {report && !report.committed && plan?.csv !== csv && (
            <Text size="sm" c="orange" data-testid="csv-stale">
              {t('contacts.import.stale')}
            </Text>
          )}
          {fileTooLarge && (
            <Text size="sm" c="red" data-testid="csv-too-large">
              {t('contacts.import.tooLarge')}
            </Text>
          )}
          {importing.error !== null && <ErrorAlert error={importing.error} onClose={importing.reset} data-testid="csv-error" />}
          {report && <ImportReport report={report} />}
        </Section>
      )}
    </Stack>
  );
}

function ImportReport({ report }: { report: DirectoryImportReport }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" data-testid="csv-report" data-committed={String(report.committed)}>
      <Text size="sm" fw={500} data-testid="csv-summary">
        {t(report.committed ? 'contacts.import.committed' : 'contacts.import.planned', {
          created: report.created,
          updated: report.updated,
          rejected: report.rejected,
        })}
      </Text>
      <Table striped data-testid="csv-lines">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('contacts.import.line')}</Table.Th>
            <Table.Th>{t('contacts.import.action')}</Table.Th>
            <Table.Th>{t('contacts.fields.name')}</Table.Th>
            <Table.Th>{t('contacts.import.details')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.lines.map((line) => (
            <Table.Tr key={line.line} data-testid="csv-line" data-line={line.line} data-action={line.action}>
              <Table.Td>{line.line}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={ACTION_COLOURS[line.action]}>
                  {t(`contacts.import.actions.${line.action}`)}
                </Badge>
              </Table.Td>
              <Table.Td>
                {line.organisationId && report.committed ? (
                  <AnchorLink to="/contacts/organisations/$organisationId" params={{ organisationId: line.organisationId }}>
                    {line.name ?? '—'}
                  </AnchorLink>
                ) : (
                  (line.name ?? '—')
                )}
              </Table.Td>
              <Table.Td>
                {line.errors.length > 0 ? (
                  <Text size="sm" c="red" data-testid="csv-line-errors">
                    {line.errors.join('; ')}
                  </Text>
                ) : (
                  <Text size="sm" c="dimmed">
                    {line.changes.join(', ') || t('contacts.import.noChanges')}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
