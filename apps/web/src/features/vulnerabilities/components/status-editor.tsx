import { Button, Group, Modal, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { VENDOR_ANSWERS, VENDOR_STATUSES, VEX_JUSTIFICATIONS, type VendorStatus, type VexJustification } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type StatusEntry, useSetStatuses } from '../api/vulnerabilities.ts';
import { isNotAffected, justificationLabel, statusLabel } from '../labels.ts';
import type { MatrixCell } from './status-matrix.tsx';

const MAX_REFERENCES = 50;

interface Values {
  status: VendorStatus;
  justification: VexJustification | null;
  fixedVersions: string;
  statement: string;
  statementJa: string;
  references: string;
}

/**
 * The editor of one matrix cell: a vendor's status for one vulnerability (all its products), its VEX
 * justification when not affected, fixed versions, statement in both languages and references. The team
 * may set any status; a vendor's user only the five answers, for its own organisation.
 */
export function StatusEditor({ caseId, cell, asTeam, onClose }: { caseId: string; cell: MatrixCell; asTeam: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const save = useSetStatuses(caseId);
  const choices: readonly VendorStatus[] = asTeam ? VENDOR_STATUSES : VENDOR_ANSWERS;
  const current = cell.row;
  const form = useForm<Values>({
    initialValues: {
      // A vendor opening a row still "not notified" or "no answer" starts from the first answer it may give.
      status: choices.includes(cell.status) ? cell.status : choices[0]!,
      justification: current?.justification ?? null,
      fixedVersions: current?.fixedVersions ?? '',
      statement: current?.statement ?? '',
      statementJa: current?.statementJa ?? '',
      references: (current?.references ?? []).join('\n'),
    },
    validate: {
      references: (value) => {
        const lines = value.split('\n').filter((line) => line.trim() !== '');
        if (lines.length > MAX_REFERENCES) return t('vulnerabilities.editor.tooManyReferences', { max: MAX_REFERENCES });
        return lines.some((line) => line.trim().length > 2000) ? t('vulnerabilities.editor.referenceTooLong') : null;
      },
    },
  });
  const notAffected = isNotAffected(form.values.status);

  const submit = form.onSubmit((values) => {
    const entry: StatusEntry = {
      vulnerabilityId: cell.vulnerabilityId,
      ...(asTeam ? { organisationId: cell.organisationId } : {}),
      productName: '',
      status: values.status,
      justification: isNotAffected(values.status) ? values.justification : null,
      fixedVersions: values.fixedVersions.trim(),
      statement: values.statement.trim(),
      statementJa: values.statementJa.trim(),
      references: values.references
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    };
    save.mutate([entry], { onSuccess: onClose });
  });

  return (
    <Modal opened onClose={onClose} size="lg" title={t('vulnerabilities.editor.title', { vendor: cell.vendorName, vulnerability: cell.vulnerabilityTitle })}>
      <form onSubmit={submit} data-testid="status-editor">
        <Stack gap="sm">
          {current?.setAt && (
            <Text size="xs" c="dimmed">
              {t('vulnerabilities.editor.lastSet', { by: current.setBy ?? '—' })} <DateTime value={current.setAt} />
            </Text>
          )}
          <Select
            label={t('vulnerabilities.editor.status')}
            data={choices.map((status) => ({ value: status, label: statusLabel(status, i18n.language) }))}
            allowDeselect={false}
            withCheckIcon={false}
            comboboxProps={{ withinPortal: true }}
            data-testid="status-select"
            {...form.getInputProps('status')}
          />
          {notAffected && (
            <Select
              label={t('vulnerabilities.editor.justification')}
              description={t('vulnerabilities.editor.justificationHelp')}
              data={VEX_JUSTIFICATIONS.map((value) => ({ value, label: justificationLabel(value, i18n.language) }))}
              clearable
              data-testid="justification-select"
              {...form.getInputProps('justification')}
            />
          )}
          <TextInput label={t('vulnerabilities.editor.fixedVersions')} maxLength={2000} data-testid="fixed-versions" {...form.getInputProps('fixedVersions')} />
          <Textarea
            label={t('vulnerabilities.editor.statementJa')}
            autosize
            minRows={2}
            maxRows={8}
            maxLength={20_000}
            data-testid="statement-ja"
            {...form.getInputProps('statementJa')}
          />
          <Textarea
            label={t('vulnerabilities.editor.statement')}
            autosize
            minRows={2}
            maxRows={8}
            maxLength={20_000}
            data-testid="statement-en"
            {...form.getInputProps('statement')}
          />
          <Textarea
            label={t('vulnerabilities.editor.references')}
            description={t('vulnerabilities.editor.referencesHelp')}
            autosize
            minRows={2}
            maxRows={6}
            data-testid="references"
            {...form.getInputProps('references')}
          />
          {cell.productRows.length > 0 && <ProductRows rows={cell.productRows} />}
          {save.error !== null && <ErrorAlert error={save.error} onClose={save.reset} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('vulnerabilities.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="status-save">
              {t('vulnerabilities.editor.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Answers given for named products, read-only here (set through the API). */
function ProductRows({ rows }: { rows: MatrixCell['productRows'] }) {
  const { t, i18n } = useTranslation();
  return (
    <div>
      <Text size="sm" fw={500}>
        {t('vulnerabilities.editor.products')}
      </Text>
      <Table>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.productName}>
              <Table.Td>{row.productName}</Table.Td>
              <Table.Td>{statusLabel(row.status, i18n.language)}</Table.Td>
              <Table.Td>{row.fixedVersions || '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
