import { fail } from './assert.js';
import type { UndoRecord } from './undoRecord.js';

/**
 * What the journal undoes: a closure (DDL that rewrites a heap's rows in place, whose undo is
 * arbitrary code), or a data record (row writes, row locks, settings, catalog edits), which a copy
 * of the engine's state can carry (`undoRecord.ts`, `catalogUndo.ts`).
 */
export type UndoEntry = (() => void) | UndoRecord;

/**
 * The undo journal. Every change to data or catalog pushes what reverses it; a statement, savepoint
 * or transaction is a mark in the journal, and rolling back undoes the entries after the mark in
 * reverse. No table is ever copied to make rollback possible.
 */
export class Journal {
  /** The entry list is made here and changed only through this journal: a copy makes an empty one afresh (graphCopy.ts). */
  static readonly ownedContainers: readonly string[] = ['undoActions'];
  private readonly undoActions: UndoEntry[] = [];
  /** How many entries are closures: a journal holding one cannot be copied with the state it undoes. */
  private closures = 0;

  get length(): number {
    return this.undoActions.length;
  }

  /** True when every entry is a data record, so the journal can be copied (`databaseClone.ts`). */
  get copyable(): boolean {
    return this.closures === 0;
  }

  record(undo: UndoEntry): void {
    if (typeof undo === 'function') this.closures++;
    this.undoActions.push(undo);
  }

  /** Undoes the entries after `mark`, newest first; `apply` undoes a data record. */
  rollbackTo(mark: number, apply: (record: UndoRecord) => void): void {
    if (mark < 0 || mark > this.undoActions.length)
      fail(`journal mark ${mark} out of range 0..${this.undoActions.length}`);
    while (this.undoActions.length > mark) {
      const undo = this.undoActions.pop()!;
      if (typeof undo === 'function') {
        this.closures--;
        undo();
      } else apply(undo);
    }
  }

  /** Forgets undo actions once nothing can roll back past them (the transaction committed). */
  clear(): void {
    this.undoActions.length = 0;
    this.closures = 0;
  }
}
