import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { attachmentsOf, findAttachment, findVulnerabilityReport } from './reports.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

export interface ReportAttachment {
  position: number;
  /** As the finder named it: untrusted, shown escaped, sent only in a Content-Disposition filename. */
  filename: string;
  /** As the finder's client declared it; never used to serve the file. */
  contentType: string;
  size: number;
  sha256: string;
}

const toAttachment = (row: { position: number; filename: string; content_type: string; size: number | string; sha256: string }): ReportAttachment => ({
  position: row.position,
  filename: row.filename,
  contentType: row.content_type,
  size: Number(row.size),
  sha256: row.sha256,
});

/**
 * The files of finders' reports (proof of concept), for the team only: listed, and read from the blob
 * store for download. A report the actor may not read is the same 404 as an absent one.
 */
export function createReportAttachments(deps: { db: Kysely<Schema>; blobs: Pick<BlobStore, 'open'> }) {
  const { db } = deps;
  const readable = async (ctx: RequestContext, reportId: string) => {
    const notFound = () => new NotFoundError('vulnerability_report_not_found', 'No such vulnerability report');
    const report = await findVulnerabilityReport(db, vulnerabilitiesPolicy.detailScope(ctx.actor, 'reports.read', notFound), reportId);
    if (!report) throw notFound();
  };
  return {
    async listReportAttachments(ctx: RequestContext, reportId: string): Promise<ReportAttachment[]> {
      await readable(ctx, reportId);
      return (await attachmentsOf(db, reportId)).map(toAttachment);
    },

    async openReportAttachment(ctx: RequestContext, reportId: string, position: number): Promise<{ attachment: ReportAttachment; stream: Readable }> {
      await readable(ctx, reportId);
      const row = await findAttachment(db, reportId, position);
      if (!row) throw new NotFoundError('attachment_not_found', 'No such attachment');
      return { attachment: toAttachment(row), stream: await deps.blobs.open(row.sha256) };
    },
  };
}
