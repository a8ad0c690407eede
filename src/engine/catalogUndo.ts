/**
 * The journal's undo entries for catalog edits (`ddl/catalogEdits.ts`), as data rather than
 * closures: which list, map or object to put back as it was. A copy of the engine's state between
 * two statements (`databaseClone.ts`, `cloneSessionStates`) copies these records with everything
 * they name, so a transaction that changed the catalog can be copied with its journal, and rolling
 * back in the copy restores the copy's own catalog; a closure would still point at the original's.
 * Each record is the exact inverse of one edit, applied newest first, so every record meets the
 * catalog exactly as its edit left it.
 */
import { assert } from './assert.js';

export type CatalogUndo =
  /** An item pushed onto a catalog list leaves it (its last occurrence). */
  | { readonly undo: 'catalog'; readonly edit: 'push'; readonly list: unknown[]; readonly item: unknown }
  /** An item removed from a catalog list goes back at its index. */
  | {
      readonly undo: 'catalog';
      readonly edit: 'remove';
      readonly list: unknown[];
      readonly index: number;
      readonly item: unknown;
    }
  /** A field of a catalog object gets its previous value back (lists replaced whole included). */
  | {
      readonly undo: 'catalog';
      readonly edit: 'field';
      readonly target: object;
      readonly key: PropertyKey;
      readonly previous: unknown;
    }
  /** A catalog map entry set gets its previous value back, or leaves the map if it had none. */
  | {
      readonly undo: 'catalog';
      readonly edit: 'mapSet';
      readonly map: Map<unknown, unknown>;
      readonly key: unknown;
      readonly had: boolean;
      readonly previous: unknown;
    }
  /** A catalog map entry deleted goes back at its former position (see `deleteMapEntry`). */
  | {
      readonly undo: 'catalog';
      readonly edit: 'mapDelete';
      readonly map: Map<unknown, unknown>;
      readonly key: unknown;
      readonly value: unknown;
      readonly position: number;
    }
  /** A list slot's replacement (a frozen value replaced by a changed copy) gives way to the original. */
  | {
      readonly undo: 'catalog';
      readonly edit: 'slot';
      readonly list: unknown[];
      readonly replacement: unknown;
      readonly original: unknown;
    };

/** Undoes one catalog edit; the caller bumps the catalog version (`EngineState.rollbackJournalTo`). */
export function undoCatalogEdit(record: CatalogUndo): void {
  switch (record.edit) {
    case 'push': {
      const index = record.list.lastIndexOf(record.item);
      assert(index >= 0, 'undo of a catalog insertion found nothing to remove');
      record.list.splice(index, 1);
      return;
    }
    case 'remove':
      record.list.splice(record.index, 0, record.item);
      return;
    case 'field':
      (record.target as Record<PropertyKey, unknown>)[record.key] = record.previous;
      return;
    case 'mapSet':
      if (record.had) record.map.set(record.key, record.previous);
      else record.map.delete(record.key);
      return;
    case 'mapDelete': {
      const { map, key, value, position } = record;
      assert(!map.has(key), 'undo of a catalog deletion found the entry back already');
      const entries = [...map];
      entries.splice(position, 0, [key, value]);
      map.clear();
      for (const [entryKey, entryValue] of entries) map.set(entryKey, entryValue);
      return;
    }
    case 'slot': {
      const current = record.list.indexOf(record.replacement);
      assert(current >= 0, 'undo of a catalog slot change found its replacement gone');
      record.list[current] = record.original;
      return;
    }
  }
}
