import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { LanguageSwitch } from '../../../components/language-switch.tsx';
import { ApiError } from '../../../lib/api.ts';
import { useSession } from '../../../lib/session.tsx';
import { login } from '../api/login.ts';

const TOTP_PATTERN = /^[0-9]{6}$/;

export function LoginPage() {
  const { t } = useTranslation();
  const { applyMe, ended, loadError, reload } = useSession();
  useDocumentTitle(`${t('auth.pageTitle')} · Renkei`);

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const totpRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (needsTotp) totpRef.current?.focus();
  }, [needsTotp]);

  const emailError = submitted && email.trim() === '' ? t('auth.emailRequired') : undefined;
  const passwordError = submitted && password === '' ? t('auth.passwordRequired') : undefined;
  const totpError = submitted && needsTotp && !TOTP_PATTERN.test(totp) ? t('auth.totpFormat') : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (email.trim() === '' || password === '' || (needsTotp && !TOTP_PATTERN.test(totp))) return;
    setSubmitting(true);
    setError(null);
    try {
      const me = await login({ email: email.trim(), password, ...(needsTotp ? { totp } : {}) });
      applyMe(me);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'totp_required') {
        setNeedsTotp(true);
        setSubmitted(false);
      } else {
        setError(caught);
        if (caught instanceof ApiError && caught.code === 'totp_invalid') {
          setTotp('');
          totpRef.current?.focus();
        }
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)">
      <Stack w="100%" maw={420} gap="md">
        <Group justify="space-between" align="center">
          <Text fw={700} size="lg" component="p">
            {t('app.name')}
          </Text>
          <LanguageSwitch />
        </Group>
        <Paper withBorder shadow="sm" radius="md" p="xl" component="main">
          <form onSubmit={(event) => void submit(event)} noValidate>
            <Stack gap="md">
              <div>
                <Title order={1} size="h3">
                  {t('auth.title')}
                </Title>
                <Text size="sm" c="dimmed" mt={4}>
                  {t('auth.subtitle')}
                </Text>
              </div>

              {ended === 'logged_out' && !error && !needsTotp && (
                <Alert color="blue" variant="light" data-testid="login-notice">
                  {t('auth.loggedOut')}
                </Alert>
              )}
              {ended === 'expired' && !error && !needsTotp && (
                <Alert color="yellow" variant="light" data-testid="login-notice">
                  {t('auth.sessionEnded')}
                </Alert>
              )}
              {loadError !== null && !error && <ErrorAlert error={loadError} onRetry={reload} />}
              {error !== null && <ErrorAlert error={error} data-testid="login-error" />}
              {needsTotp && !error && (
                <Alert color="blue" variant="light" title={t('auth.totpRequiredTitle')} data-testid="login-totp-required">
                  {t('auth.totpRequired')}
                </Alert>
              )}

              <TextInput
                label={t('auth.email')}
                type="email"
                name="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => setEmail(event.currentTarget.value)}
                error={emailError}
                data-testid="login-email"
              />
              <PasswordInput
                label={t('auth.password')}
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => setPassword(event.currentTarget.value)}
                error={passwordError}
                data-testid="login-password"
              />
              {needsTotp && (
                <TextInput
                  ref={totpRef}
                  label={t('auth.totp')}
                  description={t('auth.totpDescription')}
                  name="totp"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  required
                  value={totp}
                  onChange={(event) => setTotp(event.currentTarget.value.replace(/\D/g, ''))}
                  error={totpError}
                  data-testid="login-totp"
                />
              )}
              <Button type="submit" fullWidth loading={submitting} data-testid="login-submit">
                {t('auth.submit')}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Stack>
    </Center>
  );
}
