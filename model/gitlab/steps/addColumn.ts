import type { ColumnType } from '../../../src/index.js';
import { defineStep } from './defineStep.js';

/** The column types plans may add. */
const COLUMN_TYPES: readonly ColumnType[] = ['bigint', 'integer', 'smallint', 'text', 'boolean', 'timestamptz'];

/**
 * `add_column(table, column, type)`: a nullable column without a default, which PostgreSQL adds
 * without rewriting the table. Sync functions generated earlier keep their frozen column list (docs/postgres-observed.md §10).
 */
export const addColumn = defineStep({
  name: 'add_column',
  description:
    'add_column: a nullable column without a default, which PostgreSQL adds without rewriting the table. Sync functions generated earlier keep their frozen column list.',
  parameters: {
    fields: {
      table: { kind: 'string', refers: { kind: 'table' }, description: 'The table to alter.' },
      column: { kind: 'string', description: "The new column's name (created by this step)." },
      type: { kind: 'enum', values: COLUMN_TYPES, description: 'The column type.' },
    },
    required: ['table', 'column', 'type'],
  },
  parse: (reader) => ({
    table: reader.identifier('table'),
    column: reader.identifier('column'),
    type: reader.oneOf('type', COLUMN_TYPES),
  }),
  run: (world, { table, column, type }) => {
    world.db.addColumn(table, { name: column, type });
    return { summary: `add_column: ${table}.${column} ${type}`, applied: true };
  },
});
