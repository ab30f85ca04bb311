import { Badge, Group } from '@mantine/core';
import type { KeyWarning } from '@renkei/contract';
import { useTranslation } from 'react-i18next';

const COLOURS: Record<KeyWarning, string> = { expired: 'red', revoked: 'red', expires_soon: 'orange', address_mismatch: 'yellow', cannot_encrypt: 'yellow' };

/** A key's health as badges: one per warning, or a green "valid". */
export function KeyHealth({ warnings }: { warnings: readonly KeyWarning[] }) {
  const { t } = useTranslation();
  if (warnings.length === 0) {
    return (
      <Badge color="green" variant="light" data-testid="key-health-ok">
        {t('contacts.keys.health.ok')}
      </Badge>
    );
  }
  return (
    <Group gap={4}>
      {warnings.map((warning) => (
        <Badge key={warning} color={COLOURS[warning]} variant="light" data-testid={`key-health-${warning}`}>
          {t(`contacts.keys.health.${warning}`)}
        </Badge>
      ))}
    </Group>
  );
}

/** A fingerprint in groups of four, as people read them aloud. */
export function Fingerprint({ value }: { value: string }) {
  return (
    <code style={{ wordBreak: 'break-all' }} data-testid="key-fingerprint">
      {value.replace(/(.{4})/g, '$1 ').trim()}
    </code>
  );
}
