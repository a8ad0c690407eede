/**
 * Invariants of GitLab's migration machinery that hold in every world implementing
 * `MigrationWorld`: constraints PostgreSQL considers valid hold, migrations succeed, and the
 * partitioned copies the sync triggers maintain agree with their sources. Each reads the
 * database through full scans (`db.rows`), never through the engine's own enforcement.
 */
import type { Invariant, Violation } from '../src/harness/domain.js';
import type { MigrationWorld } from '../model/gitlab/migrationWorld.js';
import type { SyncPair } from '../model/gitlab/syncTrigger.js';
import { checkValidatedChecks, VALIDATED_CHECK_HOLDS } from './checkInvariant.js';
import { checkValidatedForeignKeys, VALIDATED_FK_HOLDS } from './foreignKeyInvariant.js';
import { byId, tableColumns, tableIds } from './rowsById.js';
import { checkKey, unlessUnchanged } from './unchangedInputs.js';
import { formatSql } from '../src/engine/sqlText.js';
import { violation } from './violation.js';

export const validatedForeignKeysHold: Invariant<MigrationWorld> = {
  id: VALIDATED_FK_HOLDS,
  sentence: 'A foreign key marked valid has no violating row (full scan).',
  scope: 'always',
  check: (world) => checkValidatedForeignKeys(world.db),
};

export const validatedChecksHold: Invariant<MigrationWorld> = {
  id: VALIDATED_CHECK_HOLDS,
  sentence: 'A CHECK constraint marked valid holds for every row (full scan).',
  scope: 'always',
  check: (world) => checkValidatedChecks(world.db),
};

export const migrationsSucceed: Invariant<MigrationWorld> = {
  id: 'migrations-succeed',
  sentence: 'Every migration step of the plan succeeds, so the deploy is never blocked.',
  scope: 'always',
  check: (world) =>
    world.migrationFailures.length === 0
      ? null
      : violation('migrations-succeed', `migration failed at ${world.migrationFailures[0]}`),
};

export const copySubsetOfSource: Invariant<MigrationWorld> = {
  id: 'copy-subset-of-source',
  sentence: 'Every row of a partitioned copy has a source row with the same id (docs/semantics.md, invariant 2).',
  scope: 'always',
  check: (world) => {
    for (const pair of world.syncPairs) {
      if (!world.db.hasTable(pair.copy) || !world.db.hasTable(pair.source)) continue;
      const found = unlessUnchanged(world, checkKey('copy-subset-of-source', pair.copy), pairIds(world, pair), () => {
        const source = byId(world.db.rows(pair.source));
        const stray = world.db.rows(pair.copy).find((row) => !source.has(row.id as number));
        return stray === undefined
          ? null
          : violation(
              'copy-subset-of-source',
              `${pair.copy} holds id=${String(stray.id)}, which ${pair.source} does not have`,
            );
      });
      if (found !== null) return found;
    }
    return null;
  },
  checkSql: (world) => {
    const queries = presentPairs(world).map((pair) =>
      formatSql(
        'SELECT %L AS copy, c.id FROM %I c WHERE NOT EXISTS (SELECT FROM %I s WHERE s.id = c.id)',
        pair.copy,
        pair.copy,
        pair.source,
      ),
    );
    return queries.length === 0 ? null : queries.join(' UNION ALL ');
  },
};

export const copyEqualsSourceWherePresent: Invariant<MigrationWorld> = {
  id: 'copy-equals-source-where-present',
  sentence: 'Where a copy row exists, its synced columns equal the source row (docs/semantics.md, invariant 3).',
  scope: 'always',
  check: (world) => {
    let caused: Violation | null = null;
    for (const pair of world.syncPairs) {
      if (!world.db.hasTable(pair.copy) || !world.db.hasTable(pair.source)) continue;
      const found = unlessUnchanged(
        world,
        checkKey('copy-equals-source-where-present', pair.copy),
        pairColumns(world, pair),
        () => copyDifference(world, pair),
      );
      if (found !== null && found.cause === undefined) return found;
      caused ??= found;
    }
    return caused;
  },
  checkSql: (world) => {
    const queries = presentPairs(world).map((pair) => {
      // Row comparison with IS DISTINCT FROM: NULL equals NULL, as the check above compares values.
      const columns = (alias: string): string =>
        pair.columns.map((column) => `${alias}.${formatSql('%I', column)}`).join(', ');
      return (
        formatSql('SELECT %L AS copy, c.id FROM %I c JOIN %I s ON s.id = c.id', pair.copy, pair.copy, pair.source) +
        ` WHERE ROW(${columns('c')}) IS DISTINCT FROM ROW(${columns('s')})`
      );
    });
    return queries.length === 0 ? null : queries.join(' UNION ALL ');
  },
};

/** What copy-subset-of-source reads of a pair: both tables' ids (skipped while unchanged, unchangedInputs.ts). */
const pairIds = (world: MigrationWorld, pair: SyncPair): readonly unknown[] => [
  tableIds(world.db, pair.copy),
  tableIds(world.db, pair.source),
];

/** Per pair, the columns copy-equals-source-where-present reads: the synced ones and the id. */
const comparedColumns = new WeakMap<SyncPair, readonly string[]>();

/** What copy-equals-source-where-present reads of a pair: both tables' compared columns (`tableColumns`). */
function pairColumns(world: MigrationWorld, pair: SyncPair): readonly unknown[] {
  let columns = comparedColumns.get(pair);
  if (columns === undefined) {
    columns = [...pair.columns, 'id'];
    comparedColumns.set(pair, columns);
  }
  return [tableColumns(world.db, pair.copy, columns), tableColumns(world.db, pair.source, columns)];
}

/**
 * The first copy row that differs from its source, preferring one without a named cause: a known
 * race a verdict may accept (`MigrationWorld.copyRowCause`) must not hide another difference.
 */
function copyDifference(world: MigrationWorld, pair: SyncPair): Violation | null {
  const source = byId(world.db.rows(pair.source));
  let caused: Violation | null = null;
  for (const copy of world.db.rows(pair.copy)) {
    const original = source.get(copy.id as number);
    if (original === undefined) continue;
    const column = pair.columns.find((name) => original[name] !== copy[name]);
    if (column === undefined) continue;
    const found = violation(
      'copy-equals-source-where-present',
      `${pair.copy} id=${String(copy.id)} has ${column}=${String(copy[column])} but ${pair.source} has ${String(original[column])}`,
    );
    const cause = world.copyRowCause?.(pair.copy, copy);
    if (cause === undefined) return found;
    caused ??= { ...found, cause };
  }
  return caused;
}

/** The sync pairs whose copy and source both exist, which the copy invariants read. */
function presentPairs(world: MigrationWorld): MigrationWorld['syncPairs'] {
  return world.syncPairs.filter((pair) => world.db.hasTable(pair.copy) && world.db.hasTable(pair.source));
}

/** The invariants above, in the order a world lists them by default. */
export const migrationInvariants: readonly Invariant<MigrationWorld>[] = [
  validatedForeignKeysHold,
  validatedChecksHold,
  migrationsSucceed,
  copySubsetOfSource,
  copyEqualsSourceWherePresent,
];
