import { Anchor, List, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdvisoryContent, AdvisorySections } from '../api/advisories.ts';
import { type Lang, LANGS, isWebAddress } from '../advisory-form.ts';

/*
 * The advisory read-only, as it will be published: JVN's sections in the document's own language (the
 * headings follow the document, not the app). Every text is rendered as React text: markup in a
 * statement stays the characters it is; a reference is a link only when it is an http(s) address.
 */

const pre = { whiteSpace: 'pre-wrap', wordBreak: 'break-word' } as const;

const useDocT = (lang: Lang) => useTranslation(undefined, { lng: lang }).t;

export function VendorTable({ rows, lang }: { rows: AdvisorySections['vendorInformation']; lang: Lang }) {
  const t = useDocT(lang);
  if (rows.length === 0) return <Empty lang={lang} />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped withTableBorder fz="sm" data-testid="advisory-vendor-table">
        <Table.Thead>
          <Table.Tr>
            {(['vendor', 'vulnerability', 'product', 'status', 'fixedVersions', 'statement'] as const).map((key) => (
              <Table.Th key={key}>{t(`advisory.table.${key}`)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row, index) => (
            <Table.Tr key={`${row.organisationId ?? 'typed'}-${index}`} data-testid="advisory-vendor-row" data-status={row.status}>
              <Table.Td>{row.vendor}</Table.Td>
              <Table.Td>{row.vulnerability}</Table.Td>
              <Table.Td>{row.product || '—'}</Table.Td>
              <Table.Td>{row.statusLabel}</Table.Td>
              <Table.Td>{row.fixedVersions || '—'}</Table.Td>
              <Table.Td style={pre}>{row.statement || '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function CvssTable({ rows, lang }: { rows: AdvisorySections['cvss']; lang: Lang }) {
  const t = useDocT(lang);
  if (rows.length === 0) return <Empty lang={lang} />;
  return (
    <Table withTableBorder fz="sm" data-testid="advisory-cvss-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('advisory.table.vulnerability')}</Table.Th>
          <Table.Th>{t('advisory.table.version')}</Table.Th>
          <Table.Th>{t('advisory.table.score')}</Table.Th>
          <Table.Th>{t('advisory.table.vector')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row, index) => (
          <Table.Tr key={index}>
            <Table.Td>{row.vulnerability}</Table.Td>
            <Table.Td>{row.version}</Table.Td>
            <Table.Td>{row.score ?? '—'}</Table.Td>
            <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
              {row.vector}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function CweList({ rows, lang }: { rows: AdvisorySections['cwe']; lang: Lang }) {
  if (rows.length === 0) return <Empty lang={lang} />;
  return (
    <List size="sm" data-testid="advisory-cwe">
      {rows.map((row, index) => (
        <List.Item key={index}>
          {row.vulnerability}: {row.id} {row.name && `(${row.name})`}
        </List.Item>
      ))}
    </List>
  );
}

function Empty({ lang }: { lang: Lang }) {
  const t = useDocT(lang);
  return (
    <Text size="sm" c="dimmed">
      {t('advisory.table.empty')}
    </Text>
  );
}

function Part({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <section data-testid={testId}>
      <Title order={4} size="h5" mb={4}>
        {title}
      </Title>
      {children}
    </section>
  );
}

function Prose({ text, lang }: { text: string; lang: Lang }) {
  return text.trim() === '' ? (
    <Empty lang={lang} />
  ) : (
    <Text size="sm" style={pre}>
      {text}
    </Text>
  );
}

/** One language of the advisory, every section in JVN's order. */
export function AdvisorySectionsView({ sections, lang }: { sections: AdvisorySections; lang: Lang }) {
  const t = useDocT(lang);
  const s = sections;
  return (
    <Stack gap="md" lang={lang} data-testid={`advisory-document-${lang}`}>
      <Title order={3} size="h3" style={{ wordBreak: 'break-word' }} data-testid="advisory-doc-title">
        {s.title}
      </Title>
      <Part title={t('advisory.sections.overview')} testId="advisory-doc-overview">
        <Prose text={s.overview} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.affectedProducts')} testId="advisory-doc-products">
        {s.affectedProducts.length === 0 ? (
          <Empty lang={lang} />
        ) : (
          <List size="sm">
            {s.affectedProducts.map((line, index) => (
              <List.Item key={index}>{line}</List.Item>
            ))}
          </List>
        )}
      </Part>
      <Part title={t('advisory.sections.description')} testId="advisory-doc-description">
        <Prose text={s.description} lang={lang} />
        <Text size="sm" fw={500} mt="xs">
          {t('advisory.sections.cwe')}
        </Text>
        <CweList rows={s.cwe} lang={lang} />
        <Text size="sm" fw={500} mt="xs">
          {t('advisory.sections.cvss')}
        </Text>
        <CvssTable rows={s.cvss} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.impact')} testId="advisory-doc-impact">
        <Prose text={s.impact} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.solution')} testId="advisory-doc-solution">
        <Prose text={s.solution} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.vendorInformation')} testId="advisory-doc-vendors">
        <VendorTable rows={s.vendorInformation} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.references')} testId="advisory-doc-references">
        {s.references.length === 0 ? (
          <Empty lang={lang} />
        ) : (
          <List size="sm">
            {s.references.map((r, index) => (
              <List.Item key={index} style={{ wordBreak: 'break-all' }}>
                {isWebAddress(r.url) ? (
                  <Anchor href={r.url} target="_blank" rel="noopener noreferrer nofollow">
                    {r.title || r.url}
                  </Anchor>
                ) : (
                  `${r.title} ${r.url}`
                )}
              </List.Item>
            ))}
          </List>
        )}
      </Part>
      <Part title={t('advisory.sections.coordinatorNotes')} testId="advisory-doc-notes">
        <Prose text={s.coordinatorNotes} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.credit')} testId="advisory-doc-credit">
        <Prose text={s.credit} lang={lang} />
      </Part>
      <Part title={t('advisory.sections.history')} testId="advisory-doc-history">
        {s.history.length === 0 ? (
          <Empty lang={lang} />
        ) : (
          <List size="sm">
            {s.history.map((h, index) => (
              <List.Item key={index}>
                {h.date} {h.note}
              </List.Item>
            ))}
          </List>
        )}
      </Part>
    </Stack>
  );
}

/** Both languages as tabs, the app's language first. */
export function AdvisoryDocument({ content, testId = 'advisory-document' }: { content: AdvisoryContent; testId?: string }) {
  const { t, i18n } = useTranslation();
  const first: Lang = i18n.language === 'en' ? 'en' : 'ja';
  return (
    <Tabs defaultValue={first} keepMounted={false} data-testid={testId}>
      <Tabs.List>
        {LANGS.map((lang) => (
          <Tabs.Tab key={lang} value={lang} data-testid={`${testId}-tab-${lang}`}>
            {t(`advisory.lang.${lang}`)}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {LANGS.map((lang) => (
        <Tabs.Panel key={lang} value={lang} pt="md">
          <AdvisorySectionsView sections={content[lang]} lang={lang} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
