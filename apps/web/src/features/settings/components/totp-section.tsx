import { Alert, Badge, Button, Code, Group, Image, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useMe } from '../../../lib/session.tsx';
import { useSetUpTotp, useToggleTotp } from '../api/me.ts';
import type { TotpSetup } from '../api/totp.ts';
import { Section } from '../../../components/section.tsx';

const CODE_PATTERN = /^[0-9]{6}$/;

export function TotpSection() {
  const { t } = useTranslation();
  const me = useMe();
  const setUp = useSetUpTotp();
  const toggle = useToggleTotp();
  const setup = setUp.data ?? null;
  const busy = setUp.isPending || toggle.isPending;
  const error = setUp.error ?? toggle.error;
  const notice = toggle.isSuccess ? (toggle.variables.on ? 'enabled' : 'disabled') : null;

  const start = () => {
    toggle.reset();
    setUp.mutate();
  };
  const enable = (code: string) => toggle.mutate({ on: true, code }, { onSuccess: () => setUp.reset() });
  const disable = (code: string) => toggle.mutate({ on: false, code });

  return (
    <Section title={t('settings.totp.title')} description={t('settings.totp.description')} testId="settings-totp">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          {t('settings.totp.status')}:
        </Text>
        <Badge color={me.totpEnabled ? 'teal' : 'gray'} variant="light" tt="none" data-testid="totp-status" data-enabled={String(me.totpEnabled)}>
          {me.totpEnabled ? t('settings.totp.enabled') : t('settings.totp.disabled')}
        </Badge>
      </Group>

      {notice && (
        <Alert color="teal" variant="light" role="status" data-testid="totp-notice">
          {notice === 'enabled' ? t('settings.totp.enabledNotice') : t('settings.totp.disabledNotice')}
        </Alert>
      )}
      {error !== null && (
        <ErrorAlert
          error={error}
          onClose={() => {
            if (setUp.isError) setUp.reset();
            toggle.reset();
          }}
        />
      )}

      {!me.totpEnabled && !setup && (
        <Group>
          <Button onClick={start} loading={busy} data-testid="totp-setup">
            {t('settings.totp.start')}
          </Button>
        </Group>
      )}
      {!me.totpEnabled && setup && <Enrolment setup={setup} busy={busy} onEnable={enable} onCancel={setUp.reset} />}
      {me.totpEnabled && (
        <CodeForm
          intro={t('settings.totp.disableIntro')}
          submitLabel={t('settings.totp.disable')}
          submitColor="red"
          busy={busy}
          onSubmit={disable}
          testId="totp-disable"
        />
      )}
    </Section>
  );
}

function Enrolment({ setup, busy, onEnable, onCancel }: { setup: TotpSetup; busy: boolean; onEnable: (code: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const qr = useQrCode(setup.otpauthUri);
  return (
    <Stack gap="sm" data-testid="totp-enrolment">
      <Text size="sm">{t('settings.totp.scan')}</Text>
      {qr.dataUrl && <Image src={qr.dataUrl} alt={t('settings.totp.qrAlt')} w={200} h={200} fit="contain" data-testid="totp-qr" />}
      {qr.failed && (
        <Text size="sm" c="red.7">
          {t('settings.totp.qrFailed')}
        </Text>
      )}
      <div>
        <Text size="sm" fw={500} id="totp-secret-label">
          {t('settings.totp.secret')}
        </Text>
        <Code fz="md" aria-labelledby="totp-secret-label" data-testid="totp-secret" style={{ userSelect: 'all', wordBreak: 'break-all' }}>
          {setup.secret}
        </Code>
      </div>
      <CodeForm submitLabel={t('settings.totp.enable')} busy={busy} onSubmit={onEnable} testId="totp-enable" onCancel={onCancel} />
    </Stack>
  );
}

/** The otpauth URI drawn as a PNG data URL (CSP allows `img-src data:`). qrcode loads only when needed. */
function useQrCode(uri: string): { dataUrl: string | null; failed: boolean } {
  const [state, setState] = useState<{ uri: string; dataUrl: string | null; failed: boolean }>({ uri, dataUrl: null, failed: false });
  useEffect(() => {
    let cancelled = false;
    import('qrcode')
      .then((qrcode) => qrcode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 400 }))
      .then(
        (dataUrl) => {
          if (!cancelled) setState({ uri, dataUrl, failed: false });
        },
        () => {
          if (!cancelled) setState({ uri, dataUrl: null, failed: true });
        },
      );
    return () => {
      cancelled = true;
    };
  }, [uri]);
  return state.uri === uri ? state : { dataUrl: null, failed: false };
}

interface CodeFormProps {
  intro?: string;
  submitLabel: string;
  submitColor?: string;
  busy: boolean;
  onSubmit: (code: string) => void;
  onCancel?: () => void;
  /** data-testid of the submit button; the input is always `totp-code` (only one form shows at a time). */
  testId: string;
}

function CodeForm({ intro, submitLabel, submitColor, busy, onSubmit, onCancel, testId }: CodeFormProps) {
  const { t } = useTranslation();
  const form = useForm({
    mode: 'controlled',
    initialValues: { code: '' },
    validate: { code: (code) => (CODE_PATTERN.test(code) ? null : t('settings.totp.codeFormat')) },
  });

  return (
    <form onSubmit={form.onSubmit(({ code }) => onSubmit(code))} noValidate>
      <Stack gap="sm">
        {intro && <Text size="sm">{intro}</Text>}
        <Group align="flex-start" gap="sm">
          <TextInput
            label={t('settings.totp.code')}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            {...form.getInputProps('code')}
            onChange={(event) => form.setFieldValue('code', event.currentTarget.value.replace(/\D/g, ''))}
            w={180}
            data-testid="totp-code"
          />
          <Button type="submit" mt={25} color={submitColor} loading={busy} data-testid={testId}>
            {submitLabel}
          </Button>
          {onCancel && (
            <Button variant="default" mt={25} onClick={onCancel} disabled={busy} data-testid="totp-cancel">
              {t('settings.totp.cancel')}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
