import { PgError, SqlState, col, eq } from '../../src/index.js';
import type { Database, Row, RowTriggerContext, SqlValue } from '../../src/index.js';
import type { TriggerSpec } from '../../src/engine/ddl/specs.js';
import { assert } from '../../src/engine/assert.js';
import { quoteIdentifier, quoteIdentifierAlways } from '../../src/engine/sqlText.js';
import { hashedObjectName } from './names.js';
import { mutated } from './mutations.js';

/**
 * The sync trigger `partition_table_by_list` installs on a source table (docs/semantics.md §a.1): an AFTER
 * INSERT OR UPDATE OR DELETE row trigger whose function copies each change into the
 * partitioned copy. Its column list is a snapshot of the copy's columns when the function was
 * generated (docs/postgres-observed.md §10), so columns added later are never synced.
 */
export interface SyncPair {
  readonly source: string;
  readonly copy: string;
  /** The copy's columns when the function was created; frozen. */
  readonly columns: readonly string[];
  readonly triggerName: string;
  readonly functionName: string;
}

/** The source's primary key, which the generated function matches on (`id`, never `(id, runner_type)`). */
const UNIQUE_KEY = 'id';

/** Names from GitLab's db/structure.sql; other tables get the same hashing GitLab uses. */
const GITLAB_SYNC_NAMES: ReadonlyMap<string, { readonly triggerName: string; readonly functionName: string }> = new Map(
  [
    ['ci_runners', { triggerName: 'table_sync_trigger_61879721b5', functionName: 'table_sync_function_686d6c7993' }],
    [
      'ci_runner_machines',
      { triggerName: 'table_sync_trigger_bc3e7b56bd', functionName: 'table_sync_function_e438f29263' },
    ],
  ],
);

export function syncObjectNames(source: string): { readonly triggerName: string; readonly functionName: string } {
  return (
    GITLAB_SYNC_NAMES.get(source) ?? {
      triggerName: hashedObjectName(source, 'table_sync_trigger'),
      functionName: hashedObjectName(source, 'table_sync_function'),
    }
  );
}

/** `NEW.col` in PL/pgSQL: a column the source no longer has fails the statement, as PostgreSQL does. */
function field(record: Row, recordName: 'NEW' | 'OLD', column: string): SqlValue {
  const value = record[column];
  if (value === undefined)
    throw new PgError(SqlState.undefinedColumn, `record "${recordName.toLowerCase()}" has no field "${column}"`);
  return value;
}

/**
 * The UPDATE's SET columns of a pair: every column but the key and `skipped`, in the function's
 * order. A pair's column list is frozen when its trigger is made (`syncTriggerSpec`), so the list
 * derived from that array and the skipped name is the same every time: it is kept per array (the
 * last one seen per skipped name: a run syncs through one or two pairs, each row change of theirs
 * filtering the same list again otherwise).
 */
const lastSetColumns = new Map<string, { readonly from: readonly string[]; readonly columns: readonly string[] }>();

function setColumns(pair: SyncPair, skipped: string): readonly string[] {
  const last = lastSetColumns.get(skipped);
  if (last !== undefined && last.from === pair.columns) return last.columns;
  assert(Object.isFrozen(pair.columns), 'a sync pair keeps a frozen column list');
  const columns = Object.freeze(pair.columns.filter((column) => column !== UNIQUE_KEY && column !== skipped));
  lastSetColumns.set(skipped, { from: pair.columns, columns });
  return columns;
}

function syncRow(pair: SyncPair, context: RowTriggerContext): void {
  const { db } = context;
  switch (context.operation) {
    case 'DELETE': {
      assert(context.oldRow !== null, 'a DELETE trigger sees OLD');
      if (mutated('sync-trigger-ignores-delete')) return;
      db.delete(pair.copy, eq(col(UNIQUE_KEY), field(context.oldRow, 'OLD', UNIQUE_KEY)));
      return;
    }
    case 'UPDATE': {
      const newRow = context.newRow;
      assert(newRow !== null, 'an UPDATE trigger sees NEW');
      if (mutated('sync-trigger-ignores-update')) return;
      // Every non-key column, runner_type included, so a type change moves the copy row; a
      // missing copy row makes this a silent no-op.
      const columns = mutated('sync-trigger-update-skips-partition-key')
        ? setColumns(pair, 'runner_type')
        : setColumns(pair, UNIQUE_KEY);
      // Built by a loop (no entry pairs): NEW is read column by column in the function's order, as before.
      const set: Record<string, SqlValue> = {};
      for (const column of columns) set[column] = field(newRow, 'NEW', column);
      db.update(pair.copy, set, eq(col(UNIQUE_KEY), field(newRow, 'NEW', UNIQUE_KEY)));
      return;
    }
    case 'INSERT': {
      const newRow = context.newRow;
      assert(newRow !== null, 'an INSERT trigger sees NEW');
      if (mutated('sync-trigger-ignores-insert')) return;
      // A plain INSERT with no ON CONFLICT: any error in the copy aborts the source statement.
      const values: Record<string, SqlValue> = {};
      for (const column of pair.columns) values[column] = field(newRow, 'NEW', column);
      db.insert(pair.copy, values);
      return;
    }
  }
}

/** Rails' quote_column_name: every column double-quoted, through the one identifier quoter. */
const quoted = quoteIdentifierAlways;

/**
 * The PL/pgSQL GitLab's `create_sync_function` generates, for rendering scenarios as SQL: the
 * copy's name as written (quoted only when it must be), every column double-quoted.
 */
export function renderSyncFunctionBody(pair: SyncPair): string {
  // Every scenario of a plan installs the same sync triggers: the text depends only on the copy's
  // name and the columns, so it is rendered once per distinct pair. The pairs rendered for a copy
  // are compared column by column (the names are the catalog's own strings, so most comparisons
  // are one pointer check), where joining them into a key string cost more than the look-up saved.
  let rendered = renderedBodies.get(pair.copy);
  if (rendered === undefined) {
    rendered = [];
    renderedBodies.set(pair.copy, rendered);
  }
  for (const candidate of rendered) if (sameColumns(candidate.columns, pair.columns)) return candidate.body;
  // Past the bound (never reached by the plans) the copy's list starts afresh, keeping the search short.
  if (rendered.length >= MAX_RENDERED_PER_COPY) rendered.length = 0;
  const body = renderBody(pair);
  rendered.push({ columns: Object.freeze([...pair.columns]), body });
  return body;
}

function sameColumns(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** A copy's column lists come from a few schema eras and mutants: a handful per copy and process. */
const MAX_RENDERED_PER_COPY = 64;

/** Copy name → the column lists rendered for it and their function bodies. */
const renderedBodies = new Map<string, { readonly columns: readonly string[]; readonly body: string }[]>();

function renderBody(pair: SyncPair): string {
  const nonKey = pair.columns.filter((column) => column !== UNIQUE_KEY);
  const copy = quoteIdentifier(pair.copy);
  return [
    'BEGIN',
    "IF (TG_OP = 'DELETE') THEN",
    `  DELETE FROM ${copy} where ${quoted(UNIQUE_KEY)} = OLD.${quoted(UNIQUE_KEY)};`,
    "ELSIF (TG_OP = 'UPDATE') THEN",
    `  UPDATE ${copy}`,
    `  SET ${nonKey.map((column) => `${quoted(column)} = NEW.${quoted(column)}`).join(',\n    ')}`,
    `  WHERE ${copy}.${quoted(UNIQUE_KEY)} = NEW.${quoted(UNIQUE_KEY)};`,
    "ELSIF (TG_OP = 'INSERT') THEN",
    `  INSERT INTO ${copy} (${pair.columns.map(quoted).join(',\n    ')})`,
    `  VALUES (${pair.columns.map((column) => `NEW.${quoted(column)}`).join(',\n    ')});`,
    'END IF;',
    'RETURN NULL;',
    '',
    'END',
  ].join('\n');
}

/** The CREATE TRIGGER of `create_trigger_to_sync_tables`, as the engine's trigger spec. */
export function syncTriggerSpec(pair: SyncPair): TriggerSpec {
  assert(pair.columns.includes(UNIQUE_KEY), `the sync function of ${pair.source} must copy its key ${UNIQUE_KEY}`);
  const frozen: SyncPair = { ...pair, columns: Object.freeze([...pair.columns]) };
  return {
    name: frozen.triggerName,
    table: frozen.source,
    timing: mutated('sync-trigger-fires-before') ? 'before' : 'after',
    events: ['insert', 'update', 'delete'],
    ...(mutated('sync-trigger-update-of-skips-contacted-at')
      ? { updateOf: frozen.columns.filter((column) => column !== 'contacted_at') }
      : {}),
    functionName: frozen.functionName,
    functionBody: renderSyncFunctionBody(frozen),
    // The generated function ends with RETURN NULL, which an AFTER trigger ignores (and which would
    // skip the source row in a BEFORE trigger).
    fn: (context) => {
      syncRow(frozen, context);
      return null;
    },
  };
}

/** `create_trigger_to_sync_tables`: creates the function's trigger on the source. */
export function installSyncTrigger(db: Database, pair: SyncPair): void {
  db.createTrigger(syncTriggerSpec(pair));
}
