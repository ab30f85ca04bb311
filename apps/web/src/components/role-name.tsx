import { useTranslation } from 'react-i18next';

/** A role in the reader's language; an unknown role (from a newer server) is shown as sent. */
export function RoleName({ role }: { role: string }) {
  const { t, i18n } = useTranslation();
  const key = `roles.${role}`;
  return <>{i18n.exists(key) ? t(key as 'roles.admin') : role}</>;
}
