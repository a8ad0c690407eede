/**
 * A world's bookkeeping between steps — feature flags, batched-migration cursors and states,
 * loose-foreign-key definitions and trackings, and whatever the world adds (code version, event
 * queues) — kept as immutable versions made by immer (the hottest changes are built by hand to the
 * same result, see `replace`). A change produces a new version that
 * shares everything it did not touch, so the harness can keep the version each trace step
 * produced (`TraceStep.bookkeeping`) and anyone can diff two of them. Rows never live here: they
 * are the engine's, and a produce over a large Map costs far more than a row write.
 */
import { enableMapSet, freeze, produce } from 'immer';
import type { Draft } from 'immer';
import { assert } from '../../src/engine/assert.js';
import type { LooseForeignKeyDefinition } from './looseForeignKeys/definitions.js';
import type { DeletionTracking } from './looseForeignKeys/trackRecordDeletions.js';
import type { BatchedMigration } from './migrationWorld.js';

enableMapSet();

export interface LooseForeignKeyBookkeeping {
  /** The definitions in force: GitLab's YAML plus any a plan added. */
  readonly definitions: readonly LooseForeignKeyDefinition[];
  /** The deletion-tracking triggers installed. */
  readonly trackings: readonly DeletionTracking[];
}

export interface MigrationBookkeeping {
  readonly flags: ReadonlyMap<string, boolean>;
  /** Batched background migrations in queue order; a migration's `id` is its index here. */
  readonly migrations: readonly BatchedMigration[];
  readonly looseForeignKeys: LooseForeignKeyBookkeeping;
}

export type BookkeepingRecipe<B> = (draft: Draft<B>) => void;

/** The current version of a world's bookkeeping, replaced (never mutated) by each change. */
export class BookkeepingVersions<B extends MigrationBookkeeping> {
  private version: B;

  constructor(initial: B) {
    this.version = freeze(initial, true);
  }

  get current(): B {
    return this.version;
  }

  change(recipe: BookkeepingRecipe<B>): void {
    this.version = produce(this.version, recipe);
  }

  /**
   * Puts `migration` at its id in the queue (appending a new one), as
   * `change((draft) => { draft.migrations[migration.id] = migration })` would, without immer's
   * drafting: every batch of every background migration records its cursor this way, and there a
   * produce costs more than the batch. Like produce, the new version shares everything else and is
   * frozen, and setting what is already there leaves the version as it is.
   */
  /**
   * Makes `value` the bookkeeping's `key`, sharing every other part, as a produce assigning it
   * would: the new version is frozen, and assigning what is already there keeps the version. The
   * caller hands a frozen value; the hot changes below (a deletion tracking, an owner event or job)
   * go through here because immer's drafting and finalising cost more than the steps making them.
   */
  replace<K extends keyof B>(key: K, value: B[K]): void {
    if (Object.is(this.version[key], value)) return;
    this.version = Object.freeze({ ...this.version, [key]: value });
  }

  /**
   * Appends a deletion tracking (frozen in place, as immer freezes what a recipe adds), as
   * `change((draft) => { draft.looseForeignKeys.trackings.push(tracking) })` would.
   */
  addDeletionTracking(tracking: DeletionTracking): void {
    const looseForeignKeys = this.version.looseForeignKeys;
    const trackings = Object.freeze([...looseForeignKeys.trackings, Object.freeze(tracking)]);
    this.replace('looseForeignKeys', Object.freeze({ ...looseForeignKeys, trackings }));
  }

  setMigration(migration: BatchedMigration): void {
    const migrations = this.version.migrations;
    assert(migration.id >= 0 && migration.id <= migrations.length, `no migration slot ${migration.id}`);
    const existing = migrations[migration.id];
    if (existing !== undefined && sameMigration(existing, migration)) return;
    const next = [...migrations];
    next[migration.id] = Object.freeze(migration);
    this.version = Object.freeze({ ...this.version, migrations: Object.freeze(next) });
  }
}

/** Whether two versions of a migration hold the same fields (by `Object.is`, as immer compares assignments). */
function sameMigration(left: BatchedMigration, right: BatchedMigration): boolean {
  const leftKeys = Object.keys(left) as (keyof BatchedMigration)[];
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) => Object.hasOwn(right, key) && Object.is(left[key], right[key]));
}

function describeMigration(migration: BatchedMigration): string {
  return `${migration.name} ${migration.status}, cursor ${migration.cursor}${migration.failedAttempts > 0 ? `, ${migration.failedAttempts} failed attempts` : ''}`;
}

/**
 * What changed from one version to the next, one line per change, for reports and explanations.
 * Unchanged parts are the same objects in both versions, so the comparison stops there.
 */
export function describeBookkeepingChanges(before: MigrationBookkeeping, after: MigrationBookkeeping): string[] {
  if (before === after) return [];
  const lines: string[] = [];
  if (before.flags !== after.flags) {
    for (const [flag, enabled] of after.flags)
      if (before.flags.get(flag) !== enabled) lines.push(`flag ${flag}: ${enabled ? 'enabled' : 'disabled'}`);
  }
  if (before.migrations !== after.migrations) {
    after.migrations.forEach((migration, index) => {
      if (before.migrations[index] !== migration) lines.push(`migration ${describeMigration(migration)}`);
    });
  }
  if (before.looseForeignKeys !== after.looseForeignKeys) {
    for (const definition of after.looseForeignKeys.definitions.slice(before.looseForeignKeys.definitions.length)) {
      lines.push(`loose foreign key ${definition.childTable}.${definition.column} → ${definition.parentTable}`);
    }
    for (const tracking of after.looseForeignKeys.trackings.slice(before.looseForeignKeys.trackings.length)) {
      lines.push(`deletions of ${tracking.table} tracked as ${tracking.logicalName ?? tracking.table}`);
    }
  }
  return lines;
}
