// Directory import (CSV, FIRST team directory) with its dry-run plan, and the team-directory export.
import { type Kysely, sql } from 'kysely';
import type { DirectoryImportLine, DirectoryImportReport } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { RequestContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { contactsPolicy } from './contacts.policy.ts';
import { type OrganisationModel, organisationRowToModel } from './contacts.repository.ts';
import { type DirectoryCandidate, csvToCandidates, organisationToTeam, teamsToCandidates } from './directory-import.ts';
import { addNetworks, applyOrganisationChange, organisationProblems } from './organisations.service.ts';

/** JSON with object keys sorted: jsonb does not keep key order, so plain JSON.stringify would see changes that are not there. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** Matches candidates to organisations and says, per line, what a commit would do. */
async function planImport(executor: Kysely<Schema>, candidates: DirectoryCandidate[]) {
  const names = [...new Set(candidates.map((c) => c.fields.name?.toLowerCase()).filter((name): name is string => !!name))];
  const ids = [...new Set(candidates.map((c) => c.id).filter((id): id is string => !!id))];
  const byName = new Map<string, OrganisationModel[]>();
  const byId = new Map<string, OrganisationModel>();
  const rows =
    names.length || ids.length
      ? await executor
          .selectFrom('organisations')
          .selectAll()
          .where((eb) => eb.or([...(names.length ? [eb(sql`lower(name)`, 'in', names)] : []), ...(ids.length ? [eb('id', 'in', ids)] : [])]))
          .execute()
      : [];
  for (const row of rows) {
    const model = organisationRowToModel(row);
    byId.set(model.id, model);
    const list = byName.get(model.name.toLowerCase()) ?? [];
    list.push(model);
    byName.set(model.name.toLowerCase(), list);
  }
  const existingNetworks = new Set<string>();
  if (byId.size > 0) {
    const networkRows = await executor
      .selectFrom('organisation_networks')
      .select(['organisation_id', 'kind', 'value'])
      .where('organisation_id', 'in', [...byId.keys()])
      .execute();
    for (const n of networkRows) existingNetworks.add(`${n.organisation_id} ${n.kind} ${n.value}`);
  }
  const seenNames = new Map<string, number>();
  return candidates.map((candidate) => {
    const errors = [...candidate.errors];
    let target: OrganisationModel | null = null;
    if (candidate.id) {
      target = byId.get(candidate.id) ?? null;
      if (!target) errors.push(`no organisation has the ID ${candidate.id}`);
    } else if (candidate.fields.name) {
      const matches = byName.get(candidate.fields.name.toLowerCase()) ?? [];
      if (matches.length > 1) errors.push(`${matches.length} organisations are named "${candidate.fields.name}": give the id column to choose one`);
      target = matches.length === 1 ? matches[0]! : null;
    }
    const key = target?.id ?? candidate.fields.name?.toLowerCase() ?? '';
    const earlier = seenNames.get(key);
    if (earlier !== undefined && key) errors.push(`the same organisation is also on line ${earlier}`);
    else if (key) seenNames.set(key, candidate.line);
    if (target?.isSelf) errors.push("the instance's own team is edited in the app, not by import");
    if (!target && !candidate.fields.kind && errors.length === 0)
      errors.push('kind is required for a new organisation (csirt, isp, vendor, subscriber, government, other)');
    const merged = {
      kind: candidate.fields.kind ?? target?.kind ?? 'other',
      country: candidate.fields.country !== undefined ? candidate.fields.country : (target?.country ?? null),
      isNationalCsirt: candidate.fields.isNationalCsirt ?? target?.isNationalCsirt ?? false,
      timeZone: candidate.fields.timeZone !== undefined ? candidate.fields.timeZone : (target?.timeZone ?? null),
    };
    errors.push(...organisationProblems(merged));
    const changes: string[] = [];
    for (const [field, value] of Object.entries(candidate.fields) as [keyof OrganisationModel, unknown][]) {
      if (value === undefined) continue;
      if (!target || canonicalJson(target[field] ?? null) !== canonicalJson(value)) changes.push(field);
    }
    const newNetworks = candidate.networks.filter((n) => !target || !existingNetworks.has(`${target.id} ${n.kind} ${n.value}`));
    for (const n of newNetworks) changes.push(`+${n.kind} ${n.value}`);
    const line: DirectoryImportLine = {
      line: candidate.line,
      action: errors.length > 0 ? 'reject' : target ? 'update' : 'create',
      name: candidate.fields.name ?? target?.name ?? null,
      organisationId: target?.id ?? null,
      changes,
      errors,
    };
    return { line, candidate, target, newNetworks };
  });
}

export function createDirectoryImportService(db: Kysely<Schema>, now: () => Date) {
  async function runImport(ctx: RequestContext, candidates: DirectoryCandidate[], commit: boolean, source: string): Promise<DirectoryImportReport> {
    const report = (lines: DirectoryImportLine[], committed: boolean): DirectoryImportReport => ({
      committed,
      created: lines.filter((l) => l.action === 'create').length,
      updated: lines.filter((l) => l.action === 'update').length,
      rejected: lines.filter((l) => l.action === 'reject').length,
      lines,
    });
    if (!commit)
      return report(
        (await planImport(db, candidates)).map((p) => p.line),
        false,
      );
    // The plan is made again inside the transaction, so the commit does exactly what it reports.
    return db.transaction().execute(async (trx) => {
      const plan = await planImport(trx, candidates);
      for (const item of plan) {
        if (item.line.action === 'reject') continue;
        const changed = item.line.changes.some((change) => !change.startsWith('+'));
        let organisation = item.target;
        if (!organisation || changed)
          organisation = await applyOrganisationChange(
            trx,
            ctx,
            item.target,
            item.candidate.fields,
            item.target ? `organisation.update.${source}` : `organisation.create.${source}`,
            now,
          );
        await addNetworks(trx, ctx, organisation.id, item.newNetworks);
        item.line.organisationId = organisation.id;
      }
      return report(
        plan.map((p) => p.line),
        true,
      );
    });
  }

  return {
    /** A CSV of organisations and their networks: a dry run reports per line; `commit` applies it all in one transaction. */
    async importCsv(ctx: RequestContext, csv: string, commit: boolean): Promise<DirectoryImportReport> {
      contactsPolicy.authorize(ctx.actor, 'directory.import');
      return runImport(ctx, csvToCandidates(csv), commit, 'csv');
    },

    /** A FIRST team-directory JSON document: each team a CSIRT, matched by name. */
    async importTeamDirectory(ctx: RequestContext, document: unknown, commit: boolean): Promise<DirectoryImportReport> {
      contactsPolicy.authorize(ctx.actor, 'directory.import');
      return runImport(ctx, teamsToCandidates(document), commit, 'team_directory');
    },

    /** Every CSIRT in the directory as FIRST team-directory JSON. */
    async exportTeamDirectory(ctx: RequestContext): Promise<Record<string, unknown>[]> {
      const scope = contactsPolicy.listScope(ctx.actor, 'directory.export');
      const rows = await db
        .selectFrom('organisations')
        .selectAll()
        .where('kind', '=', 'csirt')
        .where(scopeWhere(scope, { organisation: sql.ref('organisations.id') }))
        .orderBy('name')
        .execute();
      const keys = await db
        .selectFrom('pgp_keys')
        .select(['organisation_id', 'fingerprint'])
        .where('organisation_id', 'in', rows.length ? rows.map((r) => r.id) : ['00000000-0000-0000-0000-000000000000'])
        .where('revoked_at', 'is', null)
        .where('is_instance_key', '=', false)
        .execute();
      return rows.map((row) =>
        organisationToTeam(
          organisationRowToModel(row),
          keys.filter((k) => k.organisation_id === row.id).map((k) => k.fingerprint),
        ),
      );
    },
  };
}
