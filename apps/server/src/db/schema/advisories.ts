import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** A case's advisory: made with its first draft; `modified_at` moves with every revision. */
export interface AdvisoriesTable {
  case_id: string;
  /** NULL = made by the system. */
  created_by: string | null;
  created_at: CreatedAt;
  modified_at: ColumnType<Date, Date | undefined, Date>;
}

/** Every revision of an advisory, kept: the whole document in both languages (`AdvisoryContent`). */
export interface AdvisoryRevisionsTable {
  case_id: string;
  /** 1, 2, … per case. */
  number: number;
  content: ColumnType<unknown, string, string>;
  /** What the author said changed (not published). */
  note: Generated<string>;
  /**
   * draft (written, not approved) | approved (a publisher's: what will be published; at most one per
   * case) | superseded (an approved one replaced by a later approval) | published (frozen into the publication).
   */
  state: Generated<string>;
  /** NULL = the generated first draft made by the system. */
  author_id: string | null;
  approved_by: string | null;
  /** Set on approval; kept when superseded. */
  approved_at: Date | null;
  created_at: CreatedAt;
}

/** The one publication of a case: the approved revision frozen, with its public ID. Never updated. */
export interface AdvisoryPublicationsTable {
  case_id: string;
  revision_number: number;
  /** JVNVU#NNNNNNNN or JVN#NNNNNNNN (prefixes from the configuration). */
  public_id: string;
  /** The embargo it was published under; NULL = none agreed. */
  embargo_id: string | null;
  document: ColumnType<unknown, string, never>;
  /** `job` (the publish job at the instant), `sweeper`, or the user id that released or approved it early. */
  published_by: string;
  published_at: Date;
}
