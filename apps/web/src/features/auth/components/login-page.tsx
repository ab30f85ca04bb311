import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useForm } from '@mantine/form';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { LanguageSwitch } from '../../../components/language-switch.tsx';
import { ApiError } from '../../../lib/api.ts';
import { useSession } from '../../../lib/session.tsx';
import { useLogin } from '../api/login.ts';

const TOTP_PATTERN = /^[0-9]{6}$/;

export function LoginPage() {
  const { t } = useTranslation();
  const { applyMe, ended, loadError, reload } = useSession();
  useDocumentTitle(`${t('auth.pageTitle')} · Renkei`);

  const [needsTotp, setNeedsTotp] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', password: '', totp: '' },
    validate: {
      email: (email) => (email.trim() === '' ? t('auth.emailRequired') : null),
      password: (password) => (password === '' ? t('auth.passwordRequired') : null),
      totp: (totp) => (needsTotp && !TOTP_PATTERN.test(totp) ? t('auth.totpFormat') : null),
    },
  });
  const run = useLogin();
  // totp_required is a step of the dialogue, not a failure to show.
  const error = run.error instanceof ApiError && run.error.code === 'totp_required' ? null : run.error;
  const totpRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (needsTotp) totpRef.current?.focus();
  }, [needsTotp]);

  const submit = ({ email, password, totp }: typeof form.values) => {
    run.mutate(
      { email: email.trim(), password, ...(needsTotp ? { totp } : {}) },
      {
        onSuccess: applyMe,
        onError: (caught) => {
          if (caught instanceof ApiError && caught.code === 'totp_required') {
            setNeedsTotp(true);
            form.clearErrors();
          } else if (caught instanceof ApiError && caught.code === 'totp_invalid') {
            form.setFieldValue('totp', '');
            totpRef.current?.focus();
          }
        },
      },
    );
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
          <form onSubmit={form.onSubmit(submit)} noValidate>
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
                {...form.getInputProps('email')}
                data-testid="login-email"
              />
              <PasswordInput
                label={t('auth.password')}
                name="password"
                autoComplete="current-password"
                required
                {...form.getInputProps('password')}
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
                  {...form.getInputProps('totp')}
                  onChange={(event) => form.setFieldValue('totp', event.currentTarget.value.replace(/\D/g, ''))}
                  data-testid="login-totp"
                />
              )}
              <Button type="submit" fullWidth loading={run.isPending} data-testid="login-submit">
                {t('auth.submit')}
              </Button>
            </Stack>
          </form>
        </Paper>
      </Stack>
    </Center>
  );
}
