import { Badge } from '@mantine/core';
import type { PgpStatus } from '@renkei/contract';
import { useTranslation } from 'react-i18next';

const COLOURS: Record<PgpStatus, string> = {
  good: 'green',
  bad: 'red',
  unknown_key: 'yellow',
  expired_key: 'orange',
  revoked_key: 'red',
  unsigned: 'gray',
};

/** A message's signature status, in words as well as colour. */
export function PgpBadge({ status, encryption }: { status: PgpStatus; encryption?: 'none' | 'decrypted' | 'failed' }) {
  const { t } = useTranslation();
  return (
    <>
      <Badge color={COLOURS[status]} variant="light" data-testid="pgp-status" data-status={status}>
        {t(`mail.pgp.${status}`)}
      </Badge>
      {encryption && encryption !== 'none' && (
        <Badge color={encryption === 'failed' ? 'red' : 'blue'} variant="outline" ml={4} data-testid="pgp-encryption" data-status={encryption}>
          {t(`mail.encryption.${encryption}`)}
        </Badge>
      )}
    </>
  );
}
