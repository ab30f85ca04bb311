import type { TFunction } from 'i18next';
import { ApiError, CLIENT_ERROR_CODES } from './api.ts';

/*
 * The one place where the server's stable error codes (`{ error: { code, message } }`, contract
 * ErrorResponse) become words in the user's language. Every code listed here has a key
 * `errors.codes.<code>` in locales/en.json and ja.json (the compiler checks en, locales.test checks ja);
 * a code not listed shows the server's own (English) message.
 */
export const API_ERROR_CODES = [
  // Sessions and login
  'invalid_credentials',
  'totp_required',
  'totp_invalid',
  'totp_already_enabled',
  'totp_not_enabled',
  'totp_not_set_up',
  'session_required',
  'unauthenticated',
  'csrf_failed',
  'forbidden',
  // Requests in general
  'not_found',
  'route_not_found',
  'rate_limited',
  'validation_failed',
  'bad_request',
  'malformed_json',
  'payload_too_large',
  'internal_error',
  'service_unavailable',
  CLIENT_ERROR_CODES.network,
  CLIENT_ERROR_CODES.unexpected,
  // Things that are gone or never were
  'report_not_found',
  'incident_not_found',
  'coordination_not_found',
  'organisation_not_found',
  'person_not_found',
  'network_not_found',
  'key_not_found',
  'user_not_found',
  'assignee_not_found',
  'mail_thread_not_found',
  'mail_message_not_found',
  'mail_part_not_found',
  'mail_template_not_found',
  // Incidents and coordination
  'incident_merged',
  'coordination_closed',
  'party_required',
  'no_address',
  'invalid_address',
  'tlp_above_ceiling',
  'pgp_key_required',
  'mail_template_variables_missing',
  'empty_message',
  'invalid_tlp',
  // Directory
  'invalid_organisation',
  'organisation_is_self',
  'organisation_has_members',
  'invalid_network',
  'network_exists',
  'invalid_time_zone',
  'private_key_refused',
  'not_a_public_key',
  'key_unreadable',
  'key_too_large',
  'too_many_keys',
  'csv_malformed',
  'csv_header',
  'csv_too_large',
  // Lookup and statistics
  'too_many_items',
  'invalid_month',
  'invalid_period',
  'invalid_range',
  'range_too_long',
  // Vulnerability coordination
  'vulnerability_report_not_found',
  'case_not_found',
  'embargo_not_found',
  'participant_not_found',
  'already_decided',
  'already_participant',
  'embargo_not_open',
  'not_a_vendor',
  'not_a_vendor_of_case',
  'not_your_status',
  'status_not_an_answer',
  'justification_needs_not_vulnerable',
  'vulnerability_not_in_case',
  'instant_in_past',
  'instant_not_whole_minute',
  'invalid_instant',
  'invalid_cwe_id',
  'cvss_wrong_field',
  'cvss_malformed',
  'cvss_bad_prefix',
  'cvss_unsupported_version',
  'cvss_unknown_metric',
  'cvss_duplicate_metric',
  'cvss_missing_metric',
  'cvss_too_long',
  // The back office of cases: registry, CVE pool, contact attempts, participants
  'invalid_cpe',
  'invalid_purl',
  'vendor_product_exists',
  'vendor_product_not_found',
  'organisation_required',
  'invalid_product_name',
  'cve_pool_empty',
  'vulnerability_not_found',
  'no_contact_attempt',
  'vendor_not_unreachable',
  'instant_out_of_range',
  'not_a_coordinator',
  'vendor_no_address',
  'empty_mail',
  'duplicate_participant',
  'pgp_instance_key_missing',
  // Advisories and publication
  'advisory_not_found',
  'revision_not_found',
  'revision_not_draft',
  'already_published',
  'invalid_reference_url',
  'advisory_too_large',
  // Messages and webhooks
  'private_to_team_only',
  'participant_not_shared',
  'webhook_not_found',
  'invalid_webhook_url',
  'webhook_inactive',
  'fetch_refused',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Codes whose server message names the very value, line or count at fault: it is shown under the translation. */
const DETAILED: ReadonlySet<ApiErrorCode> = new Set<ApiErrorCode>([
  'validation_failed',
  'invalid_organisation',
  'organisation_has_members',
  'invalid_network',
  'network_exists',
  'csv_malformed',
  'csv_header',
  'too_many_items',
  'range_too_long',
  'tlp_above_ceiling',
  'mail_template_variables_missing',
  'vendor_no_address',
  'invalid_cwe_id',
  'cvss_malformed',
  'cvss_unknown_metric',
  'cvss_duplicate_metric',
  'cvss_missing_metric',
  'invalid_cpe',
  'invalid_purl',
  'invalid_reference_url',
]);

export interface ErrorDescription {
  /** What went wrong, in the user's language when the code is known. */
  message: string;
  /** The server's own words on the specific value, for the codes that carry one. */
  detail: string | null;
  code: string | null;
  requestId: string | null;
}

/**
 * How to tell the user about a failure.
 * @example describeError(new ApiError(401, 'totp_invalid', 'Wrong code'), t).message // 'The code is wrong or has expired. …'
 */
export function describeError(error: unknown, t: TFunction): ErrorDescription {
  if (!(error instanceof ApiError)) return { message: t('errors.generic'), detail: null, code: null, requestId: null };
  const requestId = error.requestId ?? null;
  const code = API_ERROR_CODES.find((known) => known === error.code);
  if (code === undefined) return { message: error.message || t('errors.generic'), detail: null, code: error.code, requestId };
  const detail = DETAILED.has(code) && error.message !== '' && error.message !== code ? error.message : null;
  return { message: t(`errors.codes.${code}`), detail, code, requestId };
}
