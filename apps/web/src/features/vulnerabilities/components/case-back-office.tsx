import type { CaseDetail } from '../api/vulnerabilities.ts';
import { CvePoolPanel } from './cve-pool-panel.tsx';
import { VendorProposalsPanel } from './vendor-proposals-panel.tsx';

/** The team's back office on a case page: the registry's vendor proposals and CVE IDs from the pool. */
export function CaseBackOffice({ detail }: { detail: CaseDetail }) {
  return (
    <>
      <VendorProposalsPanel detail={detail} />
      <CvePoolPanel detail={detail} />
    </>
  );
}
