import { Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { useVendorProposals } from '../api/back-office.ts';
import { type CaseDetail, useAddVendor } from '../api/vulnerabilities.ts';

/**
 * The vendors the product-developer registry proposes for the case (from the report's product, developer,
 * version and CWE, and the case title), strongest first, each with the reasons it matched; one click adds
 * the vendor to the case (not yet notified: sharing stays a separate step in the participants panel).
 */
export function VendorProposalsPanel({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const query = useVendorProposals(detail.id);
  const add = useAddVendor(detail.id);
  return (
    <Section title={t('backOffice.proposals.title')} description={t('backOffice.proposals.help')} testId="proposals-panel">
      {add.error !== null && <ErrorAlert error={add.error} onClose={add.reset} />}
      <QueryView query={query}>
        {(list) => (
          <Stack gap="xs">
            {list.items.length === 0 && (
              <Text size="sm" c="dimmed" data-testid="proposals-empty">
                {t('backOffice.proposals.empty')}
              </Text>
            )}
            {list.items.map((proposal) => (
              <Paper key={proposal.organisationId} withBorder p="sm" radius="sm" data-testid="proposal" data-name={proposal.vendorName}>
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Stack gap={4} style={{ minWidth: 0 }}>
                    <Group gap="xs">
                      <Text fw={600} size="sm" style={{ wordBreak: 'break-word' }}>
                        {proposal.vendorName}
                      </Text>
                      <Badge variant="outline" size="sm" data-testid="proposal-score">
                        {t('backOffice.proposals.score', { score: proposal.score })}
                      </Badge>
                    </Group>
                    {proposal.reasons.map((reason, index) => (
                      <Group
                        key={`${reason.productId}-${index}`}
                        gap="xs"
                        wrap="nowrap"
                        align="flex-start"
                        data-testid="proposal-reason"
                        data-kind={reason.kind}
                      >
                        <Badge size="xs" variant="light" miw={90}>
                          {t(`backOffice.proposals.kind.${reason.kind}`)}
                        </Badge>
                        <Text size="xs" style={{ wordBreak: 'break-word' }}>
                          {reason.detail}
                        </Text>
                      </Group>
                    ))}
                  </Stack>
                  <Button
                    size="xs"
                    loading={add.isPending && add.variables === proposal.organisationId}
                    onClick={() => add.mutate(proposal.organisationId)}
                    data-testid="proposal-add"
                  >
                    {t('backOffice.proposals.add')}
                  </Button>
                </Group>
              </Paper>
            ))}
            {list.skippedEntries > 0 && (
              <Text size="xs" c="dimmed" data-testid="proposals-skipped">
                {t('backOffice.proposals.skipped', { count: list.skippedEntries })}
              </Text>
            )}
          </Stack>
        )}
      </QueryView>
    </Section>
  );
}
