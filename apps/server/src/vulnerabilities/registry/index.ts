// The product-developer registry's matching core: pure functions, no database. The vulnerabilities
// service feeds it the registry's rows and a new case, and shows the proposals with their reasons.
export {
  compareCpes,
  compareCpeValues,
  CPE_ATTRIBUTES,
  CpeError,
  cpeMatches,
  formatCpe,
  MAX_CPE_LENGTH,
  parseCpe,
  STAR,
  type Cpe,
  type CpeAttribute,
  type CpeRelation,
  type CpeValue,
} from './cpe.ts';
export { compareNames, normaliseText, type NameRelation, type NormalisedText } from './names.ts';
export {
  compileRegistry,
  MAX_DESCRIPTION_SCAN,
  MAX_REASONS_PER_PROPOSAL,
  proposeVendors,
  WEIGHTS,
  type CompiledRegistry,
  type ProposalReason,
  type ReasonKind,
  type RegistryProduct,
  type VendorProposal,
  type VendorQuery,
} from './proposals.ts';
export { formatPurl, MAX_PURL_LENGTH, parsePurl, PurlError, purlMatches, purlPackageKey, purlVersionScheme, type Purl } from './purl.ts';
export {
  compareDebianVersions,
  compareDottedVersions,
  MAX_RANGE_LENGTH,
  MAX_VERSION_LENGTH,
  parseDebianVersion,
  versionInRange,
  type DebianVersion,
  type VersionMatch,
  type VersionScheme,
} from './versions.ts';
