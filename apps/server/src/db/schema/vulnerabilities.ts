import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type ModifiedAt = ColumnType<Date, Date | undefined, Date>;

/** Next number per prefix and year: `VR` reports, `VU` cases (year = the UTC year), `JVNVU`/`JVN` public IDs (year 0). */
export interface VulnerabilityCountersTable {
  prefix: string;
  year: number;
  value: number;
}

/** A finder's report as received, from the public form, mail, or the API (a partner may forward one). */
export interface VulnerabilityReportsTable {
  id: Generated<string>;
  /** `VR-YYYY-NNNNN`. */
  reference: string;
  /** web | email | api */
  channel: string;
  /** new | accepted (a case was made of it) | declined (decline_reason says why; the finder was told). */
  status: Generated<string>;
  product_name: string;
  product_version: string | null;
  /** The developer as the finder names it; NULL = the finder does not know. */
  developer_name: string | null;
  /** CWE ID as the finder gave it (normalised when known); NULL = not given. */
  vulnerability_type: string | null;
  title: Generated<string>;
  description: string;
  reproduction: Generated<string>;
  discovered_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** Whether the finder already told the developer; NULL = not said. */
  developer_contacted: boolean | null;
  disclosure_plans: Generated<string>;
  credit_name: string | null;
  credit_organisation: string | null;
  /** TRUE: credit nobody by name; the finder's identity stays with the team. */
  credit_anonymous: Generated<boolean>;
  finder_name: string | null;
  finder_email: string | null;
  /** The finder's ASCII-armoured public key; NULL = none given. */
  finder_pgp_key: string | null;
  finder_language: string | null;
  /** The partner organisation that forwarded the report on the finder's behalf; NULL = the finder filed it. */
  forwarded_by: string | null;
  /** The forwarding partner's own ID (unique per partner: a retry files nothing twice). */
  partner_reference: string | null;
  /** SHA-256 of the finder's follow-up token; NULL = none made. */
  follow_up_token_hash: string | null;
  /** The inbound message it was filed from (channel email; unique: one message, one report); NULL = not by mail. */
  mail_message_id: string | null;
  client_address: string | null;
  decline_reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  created_by: string | null;
  received_at: CreatedAt;
  updated_at: ModifiedAt;
}

/** Proof of concept and other files of a report: in the blob store, never served inline. */
export interface VulnerabilityReportAttachmentsTable {
  report_id: string;
  position: number;
  sha256: string;
  filename: string;
  content_type: string;
  size: number;
}

/** A coordination case: one or more vulnerabilities handled and published together. */
export interface VulnerabilityCasesTable {
  id: Generated<string>;
  /** `VU-YYYY-NNNNN`, internal. */
  reference: string;
  /** `JVNVU#NNNNNNNN` or `JVN#NNNNNNNN`, given at publication; NULL = not yet published. */
  public_id: string | null;
  /** The report it was accepted from; NULL = opened by the team directly. */
  report_id: string | null;
  title: string;
  title_ja: string | null;
  summary: Generated<string>;
  /** verifying | coordinating | scheduled (an embargo is agreed) | published | closed */
  status: Generated<string>;
  /** Several vendors or international: public ID JVNVU# rather than JVN#. */
  multi_party: Generated<boolean>;
  coordinator_id: string | null;
  /** 起算日 of the first vendor + the configured days; NULL = no vendor contacted yet. */
  target_publication_at: Date | null;
  published_at: Date | null;
  created_by: string | null;
  created_at: CreatedAt;
  /** Any change to the case or its rows moves it: the `?since=` change feed reads it. */
  modified_at: ModifiedAt;
}

export interface CaseVulnerabilitiesTable {
  id: Generated<string>;
  case_id: string;
  title: string;
  title_ja: string | null;
  description: Generated<string>;
  /** `CWE-79`, or `NVD-CWE-Other` / `NVD-CWE-noinfo`; NULL = not yet classified. */
  cwe_id: string | null;
  /** From the reserved pool (`cve_pool`); NULL = none assigned. */
  cve_id: string | null;
  cvss31_vector: string | null;
  /** Base score of the vector, by the calculator; NULL when the vector is NULL. numeric comes back as text. */
  cvss31_score: ColumnType<string | null, number | null | undefined, number | null>;
  cvss40_vector: string | null;
  cvss40_score: ColumnType<string | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
  modified_at: ModifiedAt;
}

/**
 * Who takes part in a case. A row alone shares nothing: the participant sees the case only once
 * `shared_at` is set (the vendor was notified, or the team shared it).
 */
export interface CaseParticipantsTable {
  id: Generated<string>;
  case_id: string;
  /** vendor | finder | coordinator (a partner coordinator such as CERT/CC) */
  role: string;
  /** The vendor or partner organisation; NULL = a single person (a finder with an account). */
  organisation_id: string | null;
  user_id: string | null;
  /** The vendor's own tracking ID for this case; NULL = none given. */
  tracking_id: string | null;
  /** 起算日: when contact with this vendor began; NULL = not yet contacted. */
  contact_started_at: Date | null;
  /** When the case became visible to this participant; NULL = not shared (invisible to them). */
  shared_at: Date | null;
  /** When the team declared the vendor unreachable after its contact attempts; NULL = reachable or not yet known. */
  unreachable_at: Date | null;
  added_by: string | null;
  added_at: CreatedAt;
}

/** A vendor's status per vulnerability and product (`product_name` '' = all its products). Its history is in case_events. */
export interface VendorStatusesTable {
  case_id: string;
  vulnerability_id: string;
  organisation_id: string;
  product_name: Generated<string>;
  /** One of VENDOR_STATUSES in @renkei/contract. */
  status: string;
  /** VEX justification; only with a not-vulnerable status. */
  justification: string | null;
  fixed_versions: Generated<string>;
  statement: Generated<string>;
  statement_ja: Generated<string>;
  references: Generated<string[]>;
  /** NULL with set_at NULL: the row the team made when the vendor was added (not an answer). */
  set_by: string | null;
  set_at: Date | null;
}

/** Every attempt to reach a vendor (mail, phone, post...): the record behind "unreachable". */
export interface CaseContactAttemptsTable {
  id: Generated<number>;
  case_id: string;
  organisation_id: string;
  channel: string;
  /** sent | bounced (a DSN came back) | answered | no_answer */
  outcome: string;
  note: Generated<string>;
  mail_message_id: string | null;
  recorded_by: string | null;
  attempted_at: CreatedAt;
}

/** A proposed publication instant (UTC, whole minutes). At most one agreed per case. */
export interface CaseEmbargoesTable {
  id: Generated<string>;
  case_id: string;
  release_at: Date;
  /** proposed | agreed | rejected | superseded (a later one replaced it) | released (published early) */
  state: Generated<string>;
  reason: Generated<string>;
  proposed_by: string | null;
  /** The proposing participant's organisation; NULL = the team. */
  proposed_by_organisation: string | null;
  proposed_at: CreatedAt;
}

export interface CaseEmbargoDecisionsTable {
  embargo_id: string;
  participant_id: string;
  /** accepted | rejected */
  decision: string;
  comment: Generated<string>;
  decided_by: string | null;
  /** When the participant last decided (a participant may change its mind while the proposal is open). */
  decided_at: ModifiedAt;
}

/** The case timeline. `organisation_id` set = an event about that participant (its users see it); NULL = the team's. */
export interface CaseEventsTable {
  id: Generated<number>;
  case_id: string;
  kind: string;
  detail: ColumnType<unknown, string | undefined, never>;
  organisation_id: string | null;
  actor_id: string | null;
  at: CreatedAt;
}

/** The product-developer registry: a vendor's products, matched against new cases to propose vendors. */
export interface VendorProductsTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  aliases: Generated<string[]>;
  /** CPE 2.3 formatted strings (patterns allowed). */
  cpes: Generated<string[]>;
  /** Package URLs (without version = any version). */
  purls: Generated<string[]>;
  keywords: Generated<string[]>;
  created_at: CreatedAt;
  updated_at: ModifiedAt;
}

/** CVE IDs the team reserved as a CNA, assigned to vulnerabilities on demand. */
export interface CvePoolTable {
  cve_id: string;
  imported_at: CreatedAt;
  /** NULL = free. */
  vulnerability_id: string | null;
  assigned_at: Date | null;
}

/**
 * A message in a case. `private_to` NULL: the case thread, read by the team and every shared participant;
 * set: a private thread between the team and that participant. `vulnerability_id`/`product_name` narrow
 * the thread to one vulnerability or product.
 */
export interface CaseMessagesTable {
  id: Generated<string>;
  case_id: string;
  private_to: string | null;
  vulnerability_id: string | null;
  product_name: Generated<string>;
  author_id: string | null;
  /** The author's participant row; NULL = the team wrote it. */
  author_participant: string | null;
  body: string;
  created_at: CreatedAt;
  /** The vendor's reply by mail this message was filed from (the original stays in the mailbox); NULL = written in the app. */
  mail_message_id: Generated<string | null>;
}

/** When a user last opened a case: what changed after it is "new since my last visit". */
export interface CaseReadsTable {
  case_id: string;
  user_id: string;
  seen_at: Date;
}
