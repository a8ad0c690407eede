import { assert } from '../assert.js';
import { EMPTY_LIST } from '../catalog.js';
import type { EngineState } from '../session.js';

/** Journaled catalog edits: each applies a change and records its exact inverse as data (catalogUndo.ts). */
export function pushItem<T>(state: EngineState, list: T[], item: T): void {
  state.changeCatalog(() => list.push(item), { undo: 'catalog', edit: 'push', list, item });
}

export function removeItem<T>(state: EngineState, list: T[], item: T): void {
  const index = list.indexOf(item);
  assert(index >= 0, 'removing a catalog item that is not there');
  state.changeCatalog(() => list.splice(index, 1), { undo: 'catalog', edit: 'remove', list, index, item });
}

/** The fields of a catalog object that hold a list replaced rather than edited (`insertIntoList`). */
type ListFields<O, T> = { [K in keyof O]: O[K] extends readonly T[] ? K : never }[keyof O];

/**
 * Inserts `item` into a list that is replaced rather than edited (a relation's triggers and
 * partitions, which start as the shared frozen empty list: `Relation.triggers`), at `position`:
 * `target[key]` gets the longer list.
 */
export function insertIntoList<T, O extends object>(
  state: EngineState,
  target: O,
  key: ListFields<O, T>,
  item: T,
  position = (target[key] as readonly T[]).length,
): void {
  const list = target[key] as readonly T[];
  const longer = [...list.slice(0, position), item, ...list.slice(position)];
  state.changeCatalog(
    () => {
      (target as Record<PropertyKey, unknown>)[key] = longer;
    },
    { undo: 'catalog', edit: 'field', target, key, previous: list },
  );
}

/** Removes `item` from a list that is replaced rather than edited (`insertIntoList`); empty, it is the shared one. */
export function removeFromList<T, O extends object>(
  state: EngineState,
  target: O,
  key: ListFields<O, T>,
  item: T,
): void {
  const list = target[key] as readonly T[];
  assert(list.includes(item), 'removing a catalog item that is not there');
  const rest = list.filter((candidate) => candidate !== item);
  state.changeCatalog(
    () => {
      (target as Record<PropertyKey, unknown>)[key] = rest.length === 0 ? EMPTY_LIST : rest;
    },
    { undo: 'catalog', edit: 'field', target, key, previous: list },
  );
}

export function setField<T extends object, K extends keyof T>(
  state: EngineState,
  target: T,
  key: K,
  value: T[K],
): void {
  const previous = target[key];
  if (previous === value) return;
  // A frozen catalog object is a value a database fork shares: DDL replaces it (`replaceNotNull`).
  assert(!Object.isFrozen(target), `a catalog edit of ${String(key)} met a frozen catalog object`);
  state.changeCatalog(
    () => {
      target[key] = value;
    },
    { undo: 'catalog', edit: 'field', target, key, previous },
  );
}

export function setMapEntry<K, V>(state: EngineState, map: Map<K, V>, key: K, value: V): void {
  const had = map.has(key);
  const previous = map.get(key);
  state.changeCatalog(() => map.set(key, value), {
    undo: 'catalog',
    edit: 'mapSet',
    map: map as Map<unknown, unknown>,
    key,
    had,
    previous,
  });
}

/**
 * Removes a catalog entry. The undo rebuilds the map in its former order rather than appending
 * the entry again: catalog maps are iterated (relations by snapshot() and by plans), so a rolled
 * back DROP or RENAME must leave that order exactly as it was. Undo runs last-in first-out, so at
 * that point the map holds exactly the entries that remained after the delete, in their order:
 * the entry goes back at its former position among them. Only the position is kept until then, as
 * a rename (a delete and a set) in every table swap would otherwise copy the whole catalog map.
 */
export function deleteMapEntry<K, V>(state: EngineState, map: Map<K, V>, key: K): void {
  assert(map.has(key), 'deleting a catalog entry that is not there');
  const value = map.get(key) as V;
  let position = 0;
  for (const entryKey of map.keys()) {
    if (entryKey === key) break;
    position++;
  }
  state.changeCatalog(() => map.delete(key), {
    undo: 'catalog',
    edit: 'mapDelete',
    map: map as Map<unknown, unknown>,
    key,
    value,
    position,
  });
}
