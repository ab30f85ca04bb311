import type { FeedMapping, FeedMappingInput } from '@renkei/contract';
import { TLP_LEVELS, isTlpLevel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { isRsit } from './classification.ts';
import { feedsPolicy } from './feeds.policy.ts';
import { presentMapping } from './feeds.presenter.ts';
import type { FeedsDeps } from './feeds.types.ts';
import { deleteMappingRow, findMapping, insertMapping, listMappingRows, lockMapping, updateMapping } from './mappings.repository.ts';
import { EVENT_FIELDS, type EventField } from './row-mapper.ts';
import { sourceUsingMapping } from './sources.repository.ts';

/**
 * Mappings: the saved column plans of generic CSV feeds.
 * @example await createMappingsService(deps).saveMapping(ctx, { name: 'vendor-x', columns: { src: 'ip', seen: 'time' }, taxonomy: 'vulnerable', type: 'vulnerable-system' });
 */
export function createMappingsService(deps: Pick<FeedsDeps, 'db'>) {
  const { db } = deps;

  return {
    async listMappings(ctx: RequestContext): Promise<FeedMapping[]> {
      const scope = feedsPolicy.listScope(ctx.actor, 'mappings.read');
      return (await listMappingRows(db, scope)).map(presentMapping);
    },

    async getMapping(ctx: RequestContext, name: string): Promise<FeedMapping> {
      const notFound = () => new NotFoundError('feed_mapping_not_found', 'No such mapping');
      const scope = feedsPolicy.detailScope(ctx.actor, 'mappings.read', notFound);
      const row = await findMapping(db, name, scope);
      if (!row) throw notFound();
      return presentMapping(row);
    },

    /** Creates a mapping, or replaces the one of that name with `replace`. */
    async saveMapping(ctx: RequestContext, input: FeedMappingInput, saveOptions: { replace?: boolean } = {}): Promise<FeedMapping> {
      feedsPolicy.authorize(ctx.actor, 'mappings.write');
      const columns = validateMapping(input);
      const values = { name: input.name, columns: JSON.stringify(columns), taxonomy: input.taxonomy, type: input.type, tlp: input.tlp ?? 'amber' };
      return db.transaction().execute(async (trx) => {
        const existing = await lockMapping(trx, input.name);
        if (existing && !saveOptions.replace) throw new ConflictError('feed_mapping_exists', `A mapping named "${input.name}" exists`);
        const row = existing ? await updateMapping(trx, existing.id, values) : await insertMapping(trx, values);
        await recordAudit(trx, ctx, {
          action: existing ? 'feeds.mapping.update' : 'feeds.mapping.create',
          targetType: 'feed_mapping',
          targetId: row.id,
          before: existing ? presentMapping(existing) : null,
          after: presentMapping(row),
        });
        return presentMapping(row);
      });
    },

    async deleteMapping(ctx: RequestContext, name: string): Promise<void> {
      feedsPolicy.authorize(ctx.actor, 'mappings.write');
      await db.transaction().execute(async (trx) => {
        const existing = await lockMapping(trx, name);
        if (!existing) throw new NotFoundError('feed_mapping_not_found', 'No such mapping');
        const usedBy = await sourceUsingMapping(trx, existing.id);
        if (usedBy !== null) throw new ConflictError('feed_mapping_in_use', `The source "${usedBy}" uses this mapping`);
        await deleteMappingRow(trx, existing.id);
        await recordAudit(trx, ctx, {
          action: 'feeds.mapping.delete',
          targetType: 'feed_mapping',
          targetId: existing.id,
          before: presentMapping(existing),
          after: null,
        });
      });
    },
  };
}

/** A mapping's columns, lower-cased and checked: known fields, one ip and one time column, an RSIT class. */
export function validateMapping(input: FeedMappingInput): Record<string, EventField> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(input.name))
    throw new BadRequestError('invalid_mapping_name', 'A mapping name is 1-64 lower-case letters, digits, ".", "_" or "-"');
  if (!isRsit({ taxonomy: input.taxonomy, type: input.type }))
    throw new BadRequestError(
      'invalid_classification',
      `"${String(input.taxonomy).slice(0, 60)}/${String(input.type).slice(0, 60)}" is not an RSIT class (see the incident taxonomy)`,
    );
  if (input.tlp !== undefined && !isTlpLevel(input.tlp)) throw new BadRequestError('invalid_tlp', `TLP must be one of ${TLP_LEVELS.join(', ')}`);
  const entries = Object.entries(input.columns ?? {});
  if (entries.length === 0 || entries.length > 500) throw new BadRequestError('invalid_mapping', 'A mapping names 1 to 500 columns');
  const columns: Record<string, EventField> = {};
  for (const [column, field] of entries) {
    if (!(EVENT_FIELDS as readonly string[]).includes(field))
      throw new BadRequestError(
        'invalid_mapping',
        `"${column.slice(0, 60)}" maps to "${String(field).slice(0, 40)}", which is not one of ${EVENT_FIELDS.join(', ')}`,
      );
    const key = column.trim().toLowerCase();
    if (key === '' || key.length > 200) throw new BadRequestError('invalid_mapping', 'Column names are 1-200 characters');
    if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      throw new BadRequestError('invalid_mapping', `"${key}" cannot be a column name here`);
    columns[key] = field as EventField;
  }
  for (const needed of ['ip', 'time'] as const) {
    const count = Object.values(columns).filter((f) => f === needed).length;
    if (count !== 1) throw new BadRequestError('invalid_mapping', `A mapping needs exactly one column mapped to "${needed}" (found ${count})`);
  }
  return columns;
}
