import { Badge, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { type CaseMail, useVendorMails } from '../api/vendor-mail.ts';

/** Whether a vendor's mail goes (or went) encrypted to its key, or signed only. */
export function EncryptionBadge({ encrypted }: { encrypted: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge color={encrypted ? 'green' : 'orange'} variant="light" miw="max-content" data-testid="vendor-mail-encryption" data-encrypted={String(encrypted)}>
      {encrypted ? t('vulnerabilities.vendorMail.encrypted') : t('vulnerabilities.vendorMail.signedOnly')}
    </Badge>
  );
}

/** Badge cells take the width of their word; the subject gives way. */
const BADGE_CELL = { whiteSpace: 'nowrap' } as const;

const BAD = new Set(['bounced', 'failed', 'unconfirmed']);

/** Where a sent mail stands: what a DSN said when one came, else the outbox. */
function DeliveryBadge({ mail }: { mail: CaseMail }) {
  const { t } = useTranslation();
  const state = mail.deliveryStatus ?? mail.status;
  const colour = BAD.has(state)
    ? 'red'
    : state === 'delayed' || state === 'held'
      ? 'yellow'
      : state === 'sent' || state === 'delivered' || state === 'relayed'
        ? 'green'
        : 'gray';
  return (
    <Badge
      color={colour}
      variant="light"
      miw="max-content"
      data-testid="vendor-mail-delivery"
      data-status={state}
      title={mail.deliveryDetail ?? mail.statusDetail ?? undefined}
    >
      {t(`vulnerabilities.vendorMail.delivery.${state}`, { defaultValue: state })}
    </Badge>
  );
}

/** The case's mails to vendors, newest first, with their delivery; refreshed while open. */
export function VendorMailSent({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const query = useVendorMails(caseId);
  return (
    <QueryView query={query}>
      {(mails) =>
        mails.length === 0 ? (
          <Text c="dimmed" size="sm" data-testid="vendor-mail-none-sent">
            {t('vulnerabilities.vendorMail.noneSent')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table striped data-testid="vendor-mail-sent">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('vulnerabilities.vendorMail.sentAt')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.vendorMail.vendor')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.vendorMail.template')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.vendorMail.subject')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.vendorMail.encryption')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.vendorMail.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {mails.map((mail) => (
                  <Table.Tr key={mail.id} data-testid="vendor-mail-row" data-participant={mail.participantId}>
                    <Table.Td>
                      <DateTime value={mail.sentAt} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{mail.vendorName}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {mail.to} · {t(`vulnerabilities.vendorMail.language.${mail.language}`)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{t(`vulnerabilities.vendorMail.templates.${mail.template}`)}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-word' }}>{mail.subject}</Table.Td>
                    <Table.Td style={BADGE_CELL}>
                      <EncryptionBadge encrypted={mail.encrypted} />
                    </Table.Td>
                    <Table.Td style={BADGE_CELL}>
                      <DeliveryBadge mail={mail} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryView>
  );
}
