import { Group, Text } from '@mantine/core';
import { VENDOR_STATUSES, type VendorStatus } from '@renkei/contract';
import { memo, useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { CaseDetail, VendorStatusRow } from '../api/vulnerabilities.ts';
import { STATUS_COLOURS, statusLabel } from '../labels.ts';
import classes from './status-matrix.module.css';

export interface MatrixCell {
  organisationId: string;
  vendorName: string;
  vulnerabilityId: string;
  vulnerabilityTitle: string;
  /** The vendor's answer for all its products (product name ''), or the status its participation implies before one exists. */
  row: VendorStatusRow | null;
  status: VendorStatus;
  /** Answers given per named product, shown under the cell's word. */
  productRows: VendorStatusRow[];
}

const key = (organisationId: string, vulnerabilityId: string) => `${organisationId}|${vulnerabilityId}`;

/** What a vendor's participation says before any status row exists: not yet shared, unreachable, or waiting for an answer. */
function impliedStatus(participant: CaseDetail['participants'][number]): VendorStatus {
  if (participant.unreachableAt) return 'unreachable';
  return participant.sharedAt ? 'notified_no_answer' : 'not_notified';
}

/**
 * The vendor × vulnerability status matrix: a plain table (sticky header row and vendor column) built
 * from the case's one answer, indexed once, so 150 vendors × 20 vulnerabilities is 3,000 cheap cells
 * and no query per cell. Each cell carries its colour and its word; a click opens the editor.
 */
export const StatusMatrix = memo(function StatusMatrix({
  detail,
  canEdit,
  onEdit,
}: {
  detail: CaseDetail;
  canEdit: (organisationId: string) => boolean;
  onEdit: (cell: MatrixCell) => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const vendors = useMemo(() => detail.participants.filter((p) => p.role === 'vendor' && p.organisationId !== null), [detail.participants]);
  const index = useMemo(() => {
    const map = new Map<string, { whole: VendorStatusRow | null; products: VendorStatusRow[] }>();
    for (const row of detail.statuses) {
      const k = key(row.organisationId, row.vulnerabilityId);
      const entry = map.get(k) ?? { whole: null, products: [] };
      if (row.productName === '') entry.whole = row;
      else entry.products.push(row);
      map.set(k, entry);
    }
    return map;
  }, [detail.statuses]);

  const title = useCallback((v: CaseDetail['vulnerabilities'][number]) => (locale === 'ja' && v.titleJa ? v.titleJa : v.title), [locale]);

  if (vendors.length === 0 || detail.vulnerabilities.length === 0) {
    return (
      <Text c="dimmed" size="sm" data-testid="matrix-empty">
        {t('vulnerabilities.matrix.empty')}
      </Text>
    );
  }
  return (
    <>
      <div className={classes.scroller} data-testid="status-matrix">
        <table className={classes.matrix} aria-label={t('vulnerabilities.matrix.title')}>
          <thead>
            <tr>
              <th className={classes.vendor} scope="col">
                {t('vulnerabilities.matrix.vendor')}
              </th>
              {detail.vulnerabilities.map((v) => (
                <th key={v.id} scope="col" title={title(v)}>
                  {v.cveId ?? title(v)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {vendors.map((vendor) => (
              <MatrixRow
                key={vendor.id}
                vendor={vendor}
                vulnerabilities={detail.vulnerabilities}
                index={index}
                editable={canEdit(vendor.organisationId!)}
                onEdit={onEdit}
                locale={locale}
                titleOf={title}
              />
            ))}
          </tbody>
        </table>
      </div>
      <StatusLegend />
    </>
  );
});

const MatrixRow = memo(function MatrixRow({
  vendor,
  vulnerabilities,
  index,
  editable,
  onEdit,
  locale,
  titleOf,
}: {
  vendor: CaseDetail['participants'][number];
  vulnerabilities: CaseDetail['vulnerabilities'];
  index: Map<string, { whole: VendorStatusRow | null; products: VendorStatusRow[] }>;
  editable: boolean;
  onEdit: (cell: MatrixCell) => void;
  locale: string;
  titleOf: (v: CaseDetail['vulnerabilities'][number]) => string;
}) {
  const { t } = useTranslation();
  const organisationId = vendor.organisationId!;
  return (
    <tr data-testid="matrix-row" data-vendor={vendor.name}>
      <th className={classes.vendor} scope="row" title={vendor.name}>
        {vendor.name}
      </th>
      {vulnerabilities.map((v) => {
        const entry = index.get(key(organisationId, v.id));
        const row = entry?.whole ?? null;
        const status = row?.status ?? impliedStatus(vendor);
        const colours = STATUS_COLOURS[status];
        const label = statusLabel(status, locale);
        const products = entry?.products ?? [];
        const cell: MatrixCell = {
          organisationId,
          vendorName: vendor.name,
          vulnerabilityId: v.id,
          vulnerabilityTitle: titleOf(v),
          row,
          status,
          productRows: products,
        };
        const content = (
          <>
            {t(`vulnerabilities.statusShort.${status}`)}
            {products.length > 0 && ` +${products.length}`}
          </>
        );
        const common = {
          className: classes.cell,
          style: { background: colours.background, color: colours.text },
          title: `${vendor.name} × ${titleOf(v)}: ${label}`,
          'data-testid': 'matrix-cell',
          'data-status': status,
          'data-vulnerability': v.id,
        };
        return (
          <td key={v.id}>
            {editable ? (
              <button type="button" {...common} aria-label={`${vendor.name} × ${titleOf(v)}: ${label}`} onClick={() => onEdit(cell)}>
                {content}
              </button>
            ) : (
              <span {...common}>{content}</span>
            )}
          </td>
        );
      })}
    </tr>
  );
});

/** Every status's colour, short word and full label. */
export function StatusLegend() {
  const { t, i18n } = useTranslation();
  return (
    <Group gap="md" mt="xs" data-testid="matrix-legend" aria-label={t('vulnerabilities.matrix.legend')}>
      {VENDOR_STATUSES.map((status) => (
        <Group key={status} gap={6} wrap="nowrap">
          <span className={classes.swatch} style={{ background: STATUS_COLOURS[status].background }} aria-hidden="true" />
          <LegendText short={t(`vulnerabilities.statusShort.${status}`)} label={statusLabel(status, i18n.language)} />
        </Group>
      ))}
    </Group>
  );
}

/** The cell's short word in bold, then the full label where it says more. */
function LegendText({ short, label }: { short: string; label: string }) {
  return (
    <Text size="xs">
      <b>{short}</b>
      {short !== label && ` ${label}`}
    </Text>
  );
}
