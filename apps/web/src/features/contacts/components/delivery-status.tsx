import { Badge, Tooltip } from '@mantine/core';
import type { AddressDeliveryStatus } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';

const COLOURS: Record<AddressDeliveryStatus['lastStatus'], string> = { delivered: 'green', delayed: 'yellow', failed: 'red', bounced: 'red' };

/**
 * An address with what the last delivery report (DSN) said about it: nothing when there was none.
 * The detail (status code, diagnostic) and the date show on hover.
 */
export function AddressWithDelivery({ address, statuses }: { address: string | null; statuses: ReadonlyMap<string, AddressDeliveryStatus> }) {
  const { t } = useTranslation();
  if (!address) return <>—</>;
  const status = statuses.get(address.toLowerCase());
  if (!status) return <>{address}</>;
  const label = status.lastStatus === 'bounced' ? t('contacts.delivery.bounced', { count: status.bounceCount }) : t(`contacts.delivery.${status.lastStatus}`);
  return (
    <>
      {address}
      <Tooltip
        label={
          <>
            {status.lastDetail ? `${status.lastDetail} · ` : ''}
            <DateTime value={status.updatedAt} />
          </>
        }
        withArrow
        multiline
        maw={360}
      >
        <Badge
          ml={6}
          size="sm"
          variant="light"
          color={COLOURS[status.lastStatus]}
          data-testid="delivery-status"
          data-status={status.lastStatus}
          data-address={status.address}
        >
          {label}
        </Badge>
      </Tooltip>
    </>
  );
}

/** The page's delivery reports, keyed by lower-case address. */
export function deliveryMap(statuses: readonly AddressDeliveryStatus[]): Map<string, AddressDeliveryStatus> {
  return new Map(statuses.map((status) => [status.address.toLowerCase(), status]));
}
