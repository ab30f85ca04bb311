// Pure building blocks of vulnerability coordination: no database, no other domain. The rest of
// vulnerabilities/ imports them from here.
export { CWE_CATALOGUE_SIZE, CWE_PSEUDO_ENTRIES, CweError, cweName, isKnownCwe, normaliseCweId, searchCwe, type CweEntry } from './cwe.ts';
export {
  CVSS_SEVERITIES,
  CVSS_VERSIONS,
  CvssError,
  MAX_CVSS_VECTOR_LENGTH,
  cvssSeverity,
  parseCvss,
  scoreCvss,
  type CvssErrorCode,
  type CvssScore,
  type CvssSeverity,
  type CvssVersion,
} from './cvss.ts';
export { cveIdProblem } from './cve-id.ts';
export {
  CVE_POOL_MAX_BYTES,
  CVE_POOL_MAX_ENTRIES,
  CvePoolFileError,
  parseCvePoolFile,
  type CvePoolFile,
  type CvePoolFileErrorCode,
  type CvePoolFileOptions,
  type CvePoolSkip,
} from './cve-pool-file.ts';
export {
  CASE_REFERENCE_PREFIX,
  DEFAULT_PUBLIC_ID_PREFIXES,
  PUBLIC_ID_KINDS,
  PublicIdError,
  caseReference,
  formatPublicId,
  parseCaseReference,
  parsePublicId,
  type PublicId,
  type PublicIdErrorCode,
  type PublicIdKind,
  type PublicIdPrefixes,
} from './public-id.ts';
export {
  VENDOR_STATUSES,
  VENDOR_STATUS_LABELS,
  VEX_JUSTIFICATIONS,
  VEX_JUSTIFICATION_LABELS,
  isVendorStatus,
  isVexJustification,
  type Label,
  type VendorStatus,
  type VexJustification,
} from './vex.ts';
