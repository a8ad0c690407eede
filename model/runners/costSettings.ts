import type { Database } from '../../src/index.js';
import { RUNNERS } from './schema.js';

/**
 * `ci_cost_settings`: compute-minute cost factors of GitLab.com's hosted runners, which are
 * instance runners only (docs/semantics.md, invariant 20). Its legacy FK `fk_rails_6a70651f75` cascades from
 * ci_runners; the Cells 1.0 plan re-pointed it at the instance partition (seed 002, item 8).
 */
export const COST_SETTINGS = 'ci_cost_settings';
export const LEGACY_COST_SETTINGS_RUNNER_FK = 'fk_rails_6a70651f75';

export function createCostSettingsTable(db: Database): void {
  db.createTable({
    name: COST_SETTINGS,
    columns: [
      { name: 'id', type: 'bigserial' },
      { name: 'runner_id', type: 'bigint', notNull: true },
      { name: 'standard_factor', type: 'bigint', notNull: true, default: 1 },
    ],
    primaryKey: ['id'],
    constraints: [
      {
        kind: 'foreignKey',
        name: LEGACY_COST_SETTINGS_RUNNER_FK,
        columns: ['runner_id'],
        references: { table: RUNNERS, columns: ['id'] },
        onDelete: 'cascade',
      },
    ],
  });
}
