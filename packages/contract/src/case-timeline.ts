import { type Static, Type } from '@sinclair/typebox';

/** One thing that happened on a case, as the team's timeline shows it. */
export const CaseTimelineEntry = Type.Object({
  id: Type.Integer(),
  /** What happened: case_opened, vendor_added, shared, statuses_set, embargo_proposed, advisory_approved, published, … */
  kind: Type.String(),
  at: Type.String({ format: 'date-time' }),
  /** The person who did it; null for the system (jobs, mail intake). */
  actorName: Type.Union([Type.String(), Type.Null()]),
  /** The participant organisation it concerns, when it concerns one. */
  organisationName: Type.Union([Type.String(), Type.Null()]),
  /** The event's own facts (revision numbers, counts, reasons), as recorded. */
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type CaseTimelineEntry = Static<typeof CaseTimelineEntry>;

export const CaseTimeline = Type.Object({ items: Type.Array(CaseTimelineEntry), truncated: Type.Boolean() });
export type CaseTimeline = Static<typeof CaseTimeline>;
