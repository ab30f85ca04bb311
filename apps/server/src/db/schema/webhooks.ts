import type { ColumnType, Generated } from 'kysely';

/** An organisation's webhook endpoint: where its tools hear of the cases shared with it. */
export interface WebhookEndpointsTable {
  id: Generated<string>;
  /** The organisation whose events go here; only its users (and admins) manage it. */
  organisation_id: string;
  /** http(s) only; checked against the fetch guard at every delivery (internal addresses refused unless RENKEI_FETCH_ALLOW). */
  url: string;
  description: ColumnType<string, string | undefined, string>;
  /** The HMAC key, kept as is because signing needs it (decision 0180); never returned by the API after creation or rotation. */
  secret: string;
  /** The event types wanted, e.g. {case.shared,message.created}. */
  events: string[];
  /** FALSE = deactivated: no new deliveries are made for it. */
  active: ColumnType<boolean, boolean | undefined, boolean>;
  /** NULL = created by the system. */
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** NULL = never rotated since creation. */
  secret_rotated_at: Date | null;
}

/** One event for one endpoint (the outbox row, written with the change); sent by the job `vulnerabilities.deliver-webhook`. */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  endpoint_id: string;
  event_type: string;
  /** NULL = not about a case (a test ping). */
  case_id: string | null;
  /** The JSON body sent, exactly (its `id` is this row's id: the receiver's idempotency key). */
  payload: ColumnType<unknown, string, string>;
  /** pending = attempts remain; delivered = a 2xx answer; failed = every attempt failed. */
  state: ColumnType<'pending' | 'delivered' | 'failed', 'pending' | undefined, 'pending' | 'delivered' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** NULL = still pending. */
  finished_at: Date | null;
}

/** Every attempt of a delivery. */
export interface WebhookDeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Date;
  /** NULL = no HTTP answer (refused, unreachable, timed out). */
  status_code: number | null;
  /** NULL = a 2xx answer. */
  error: string | null;
  duration_ms: number;
}
