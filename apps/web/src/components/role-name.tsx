import { useTranslation } from 'react-i18next';

/** A role in the reader's language; an unknown role (from a newer server) is shown as sent. */
export function RoleName({ role }: { role: string }) {
  const { t } = useTranslation();
  return <>{t(`roles.${role}`, { defaultValue: role })}</>;
}
