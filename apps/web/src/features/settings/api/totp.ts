import type { Me } from '@renkei/contract';
import { apiRequest } from '../../../lib/api.ts';

export interface TotpSetup {
  secret: string;
  /** `otpauth://totp/...`, shown as a QR code. */
  otpauthUri: string;
}

/**
 * Starts enrolment: the server makes a new secret, which takes effect only once a code from it is confirmed.
 * @example const { secret, otpauthUri } = await setUpTotp();
 */
export function setUpTotp(): Promise<TotpSetup> {
  return apiRequest<TotpSetup>('POST', '/me/totp/setup');
}

/** Confirms enrolment with a code from the app. @example const me = await enableTotp('123456'); */
export function enableTotp(code: string): Promise<Me> {
  return apiRequest<Me>('POST', '/me/totp/enable', { code });
}

/** Turns TOTP off; needs a current code. @example const me = await disableTotp('123456'); */
export function disableTotp(code: string): Promise<Me> {
  return apiRequest<Me>('POST', '/me/totp/disable', { code });
}
