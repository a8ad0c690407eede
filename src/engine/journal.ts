import { fail } from './assert.js';

/**
 * The undo journal. Every change to data or catalog pushes a closure that reverses it; a
 * statement, savepoint or transaction is a mark in the journal, and rolling back runs the
 * closures after the mark in reverse. No table is ever copied to make rollback possible.
 */
export class Journal {
  private readonly undoActions: Array<() => void> = [];

  get length(): number {
    return this.undoActions.length;
  }

  record(undo: () => void): void {
    this.undoActions.push(undo);
  }

  rollbackTo(mark: number): void {
    if (mark < 0 || mark > this.undoActions.length)
      fail(`journal mark ${mark} out of range 0..${this.undoActions.length}`);
    while (this.undoActions.length > mark) {
      const undo = this.undoActions.pop()!;
      undo();
    }
  }

  /** Forgets undo actions once nothing can roll back past them (the transaction committed). */
  clear(): void {
    this.undoActions.length = 0;
  }
}
