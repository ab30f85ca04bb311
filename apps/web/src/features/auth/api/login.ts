import type { LoginRequest, Me } from '@renkei/contract';
import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

/**
 * Logs in with a password (and a TOTP code once the server answered `totp_required`). The server sets
 * the session cookie; the Me it returns carries the CSRF token for later requests.
 * @example const me = await login({ email, password, totp: '123456' });
 */
export function login(request: LoginRequest): Promise<Me> {
  return apiRequest<Me>('POST', '/auth/login', request);
}

/** @example const run = useLogin(); run.mutate({ email, password }, { onSuccess: applyMe }); */
export function useLogin() {
  return useMutation({ mutationFn: login });
}
