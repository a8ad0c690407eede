/**
 * The journal's undo entries for the changes that statements make to rows inside open transactions,
 * as data rather than closures: which relation, heap and tuple versions to put back. A copy of the
 * engine's state between two statements (`databaseClone.ts`, `cloneSessionStates`) copies these
 * records with everything they name, so rolling back in the copy restores the copy's own heaps; a
 * closure would still point at the original's. Catalog edits are data too (`catalogUndo.ts`); the
 * few DDL paths that still record a closure (a heap rewrite, a column rename in the heap) make the
 * journal holding one impossible to copy (`Journal.copyable`).
 */
import type { Relation, RowLock, Tuple } from './catalog.js';
import type { CatalogUndo } from './catalogUndo.js';
import { undoRowLock } from './sessions/rowLocks.js';
import type { EngineState } from './session.js';
import { undoStorageWrite } from './storage.js';

export type StorageUndo =
  /** An inserted tuple leaves its heap and indexes. */
  | { readonly undo: 'insert'; readonly relation: Relation; readonly heap: Map<number, Tuple>; readonly tuple: Tuple }
  /** A tuple deleted with one session open comes back. */
  | { readonly undo: 'delete'; readonly relation: Relation; readonly heap: Map<number, Tuple>; readonly tuple: Tuple }
  /** A tuple deleted while versioning leaves the ghosts and comes back, its xmax cleared. */
  | {
      readonly undo: 'deleteVersioned';
      readonly relation: Relation;
      readonly heap: Map<number, Tuple>;
      readonly tuple: Tuple;
    }
  /** An UPDATE's new version (same tuple id) gives way to the one it replaced. */
  | {
      readonly undo: 'replace' | 'replaceVersioned';
      readonly relation: Relation;
      readonly heap: Map<number, Tuple>;
      readonly tuple: Tuple;
      readonly replacement: Tuple;
    }
  /** TRUNCATE while versioning: every live tuple, ghost and old version comes back. */
  | {
      readonly undo: 'truncateVersioned';
      readonly relation: Relation;
      readonly heap: Map<number, Tuple>;
      readonly live: readonly Tuple[];
      readonly ghosts: Map<number, Tuple> | null;
      readonly oldVersions: Set<Tuple> | null;
    };

export type UndoRecord =
  | StorageUndo
  /** A catalog edit (catalogUndo.ts), undone by `undoCatalogEdit` with the catalog version bumped. */
  | CatalogUndo
  /** A row lock (SELECT … FOR …, an FK check's KEY SHARE) taken on a tuple is given back. */
  | { readonly undo: 'rowLock'; readonly tuple: Tuple; readonly lock: RowLock }
  /** A SET inside a transaction block: the values it replaced come back (handled by `EngineState`). */
  | {
      readonly undo: 'settings';
      readonly lockTimeoutMs: number;
      readonly deadlockTimeoutMs: number;
      readonly firstLocal: boolean;
    };

/** Undoes a row write or a row lock; `settings` belong to the session and are undone by it. */
export function undoRowChange(
  state: EngineState,
  record: Exclude<UndoRecord, { undo: 'settings' } | { undo: 'catalog' }>,
): void {
  if (record.undo === 'rowLock') undoRowLock(record.tuple, record.lock);
  else undoStorageWrite(state, record);
}
