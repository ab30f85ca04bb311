import { useMutation } from '@tanstack/react-query';
import { type UpdateMe, useSession } from '../../../lib/session.tsx';
import { disableTotp, enableTotp, setUpTotp } from './totp.ts';

/** Changes the user's own profile; the session adopts the answer (language, zone, name). @example update.mutate({ timeZone: 'Asia/Tokyo' }) */
export function useUpdateMe() {
  const { update } = useSession();
  return useMutation({ mutationFn: (patch: UpdateMe) => update(patch) });
}

/** Starts TOTP enrolment; the secret is the mutation's data. @example setUp.mutate() */
export function useSetUpTotp() {
  return useMutation({ mutationFn: setUpTotp });
}

/** Turns TOTP on or off with a code; the session adopts the Me the server answers. @example enable.mutate({ on: true, code }) */
export function useToggleTotp() {
  const { applyMe } = useSession();
  return useMutation({ mutationFn: ({ on, code }: { on: boolean; code: string }) => (on ? enableTotp(code) : disableTotp(code)), onSuccess: applyMe });
}
