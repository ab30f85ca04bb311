import { useMe } from '../../../lib/session.tsx';

/** Coordinators and admins change the directory; others only read it (the server enforces the same rule). */
export function useCanEditDirectory(): boolean {
  return useMe().roles.some((role) => role === 'admin' || role === 'coordinator');
}
