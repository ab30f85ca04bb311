import { Badge, Button, Collapse, Group, SimpleGrid, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import { type CaseDetail, type NewVulnerability, useAddVulnerability } from '../api/vulnerabilities.ts';

/** CVSS qualitative rating of a base score (the same bands in 3.1 and 4.0). */
export function severityOf(score: number): { key: 'none' | 'low' | 'medium' | 'high' | 'critical'; colour: string } {
  if (score === 0) return { key: 'none', colour: 'gray' };
  if (score < 4) return { key: 'low', colour: 'green' };
  if (score < 7) return { key: 'medium', colour: 'yellow' };
  if (score < 9) return { key: 'high', colour: 'orange' };
  return { key: 'critical', colour: 'red' };
}

function Score({ version, score, vector }: { version: string; score: number | null; vector: string | null }) {
  const { t } = useTranslation();
  if (score === null || vector === null) return <Text c="dimmed">—</Text>;
  const severity = severityOf(score);
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        <Badge color={severity.colour} variant="filled" data-testid={`cvss${version}-score`}>
          {score.toFixed(1)}
        </Badge>
        <Text size="xs">{t(`vulnerabilities.severity.${severity.key}`)}</Text>
      </Group>
      <Text size="xs" ff="monospace" c="dimmed" style={{ wordBreak: 'break-all' }}>
        {vector}
      </Text>
    </Stack>
  );
}

/** The case's vulnerabilities (title ja/en, CWE, CVE, scored CVSS 3.1 and 4.0) and, for the team, the form to add one. */
export function VulnerabilitiesPanel({ detail, canAdd }: { detail: CaseDetail; canAdd: boolean }) {
  const { t } = useTranslation();
  const [adding, add] = useDisclosure(false);
  return (
    <Section title={t('vulnerabilities.vulns.title')} testId="vulnerabilities-panel">
      {detail.vulnerabilities.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('vulnerabilities.vulns.empty')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table data-testid="vulnerabilities-table" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('vulnerabilities.vulns.vulnTitle')}</Table.Th>
                <Table.Th>CWE</Table.Th>
                <Table.Th>CVE</Table.Th>
                <Table.Th>CVSS 3.1</Table.Th>
                <Table.Th>CVSS 4.0</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {detail.vulnerabilities.map((v) => (
                <Table.Tr key={v.id} data-testid="vulnerability-row">
                  <Table.Td maw={320}>
                    {v.titleJa && (
                      <Text size="sm" fw={500} style={{ wordBreak: 'break-word' }}>
                        {v.titleJa}
                      </Text>
                    )}
                    <Text size="sm" c={v.titleJa ? 'dimmed' : undefined} fw={v.titleJa ? undefined : 500} style={{ wordBreak: 'break-word' }}>
                      {v.title}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="vulnerability-cwe">
                    {v.cweId ?? '—'}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{v.cveId ?? '—'}</Table.Td>
                  <Table.Td maw={260}>
                    <Score version="31" score={v.cvss31Score} vector={v.cvss31Vector} />
                  </Table.Td>
                  <Table.Td maw={300}>
                    <Score version="40" score={v.cvss40Score} vector={v.cvss40Vector} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canAdd && (
        <>
          <Button variant="light" size="xs" w="fit-content" onClick={add.toggle} data-testid="vulnerability-add-toggle">
            {t('vulnerabilities.vulns.add')}
          </Button>
          <Collapse in={adding}>{adding && <AddVulnerabilityForm caseId={detail.id} onDone={add.close} />}</Collapse>
        </>
      )}
    </Section>
  );
}

function AddVulnerabilityForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const create = useAddVulnerability(caseId);
  const form = useForm({
    initialValues: { title: '', titleJa: '', description: '', cweId: '', cvss31Vector: '', cvss40Vector: '' },
    validate: {
      title: (value) => (value.trim() === '' ? t('vulnerabilities.vulns.titleRequired') : null),
      cvss31Vector: (value) => (value.trim() !== '' && !/^CVSS:3\.[01]\//.test(value.trim()) ? t('vulnerabilities.vulns.cvss31Hint') : null),
      cvss40Vector: (value) => (value.trim() !== '' && !/^CVSS:4\.0\//.test(value.trim()) ? t('vulnerabilities.vulns.cvss40Hint') : null),
    },
  });
  const submit = form.onSubmit((values) => {
    const input: NewVulnerability = { title: values.title.trim() };
    if (values.titleJa.trim()) input.titleJa = values.titleJa.trim();
    if (values.description.trim()) input.description = values.description.trim();
    if (values.cweId.trim()) input.cweId = values.cweId.trim();
    if (values.cvss31Vector.trim()) input.cvss31Vector = values.cvss31Vector.trim();
    if (values.cvss40Vector.trim()) input.cvss40Vector = values.cvss40Vector.trim();
    create.mutate(input, {
      onSuccess: () => {
        form.reset();
        onDone();
      },
    });
  });
  return (
    <form onSubmit={submit} data-testid="vulnerability-form">
      <Stack gap="sm" mt="xs">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput label={t('vulnerabilities.vulns.titleJa')} maxLength={500} data-testid="vulnerability-title-ja" {...form.getInputProps('titleJa')} />
          <TextInput label={t('vulnerabilities.vulns.titleEn')} maxLength={500} required data-testid="vulnerability-title" {...form.getInputProps('title')} />
        </SimpleGrid>
        <Textarea label={t('vulnerabilities.vulns.description')} autosize minRows={2} maxRows={8} maxLength={100_000} {...form.getInputProps('description')} />
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <TextInput label="CWE" placeholder="CWE-79" maxLength={40} data-testid="vulnerability-cwe-input" {...form.getInputProps('cweId')} />
          <TextInput
            label={t('vulnerabilities.vulns.cvss31')}
            placeholder="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
            maxLength={512}
            ff="monospace"
            data-testid="vulnerability-cvss31"
            {...form.getInputProps('cvss31Vector')}
          />
          <TextInput
            label={t('vulnerabilities.vulns.cvss40')}
            placeholder="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
            maxLength={512}
            data-testid="vulnerability-cvss40"
            {...form.getInputProps('cvss40Vector')}
          />
        </SimpleGrid>
        {create.error !== null && <ErrorAlert error={create.error} onClose={create.reset} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('vulnerabilities.cancel')}
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="vulnerability-submit">
            {t('vulnerabilities.vulns.addSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
