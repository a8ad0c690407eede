/** Names of implicitly created objects, chosen by PostgreSQL's rules (makeObjectName, ChooseRelationName). */
import type { Relation } from '../catalog.js';
import type { EngineState } from '../session.js';

/** PostgreSQL identifiers are at most NAMEDATALEN - 1 = 63 bytes. */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * PostgreSQL's makeObjectName: `name1_name2_label`, truncating the longer of name1 and name2
 * one character at a time until the whole fits in 63 bytes.
 */
export function makeObjectName(name1: string, name2: string | null, label: string): string {
  let name1Length = name1.length;
  let name2Length = name2?.length ?? 0;
  const overhead = (label ? label.length + 1 : 0) + (name2 ? 1 : 0);
  const available = MAX_IDENTIFIER_LENGTH - overhead;
  while (name1Length + name2Length > available) {
    if (name1Length > name2Length) name1Length--;
    else name2Length--;
  }
  let result = name1.slice(0, name1Length);
  if (name2) result += `_${name2.slice(0, name2Length)}`;
  if (label) result += `_${label}`;
  return result;
}

/**
 * Whether a name is in use in the relation namespace, which tables, indexes and sequences share,
 * as in pg_class. Looked up directly rather than through a set of every name: DDL changes the
 * catalog between almost every two look-ups (building a world creates dozens of objects in a row).
 */
export function isRelationNameTaken(state: EngineState, name: string): boolean {
  if (state.relations.has(name) || state.sequences.has(name)) return true;
  for (const relation of state.relations.values())
    for (const index of relation.indexes) if (index.name === name) return true;
  return false;
}

/** ChooseRelationName: on a clash, the label gains a counter (`key1`, `idx2`, …). */
export function chooseRelationName(state: EngineState, name1: string, name2: string | null, label: string): string {
  let candidate = makeObjectName(name1, name2, label);
  for (let pass = 1; isRelationNameTaken(state, candidate); pass++)
    candidate = makeObjectName(name1, name2, `${label}${pass}`);
  return candidate;
}

/**
 * Constraint names in use anywhere in the schema: PostgreSQL's ChooseConstraintName looks a
 * generated name up in pg_constraint by name and namespace, not by table, so a CHECK named
 * `t_a_not_null` on another table pushes t's not-null constraint to `t_a_not_null1`.
 */
export function schemaConstraintNames(state: EngineState): Set<string> {
  const names = new Set<string>();
  for (const relation of state.relations.values()) {
    for (const constraint of relation.constraints) {
      names.add(constraint.name);
      if (constraint.kind === 'foreignKey')
        for (const name of constraint.referencedPartitionNames.values()) names.add(name);
    }
  }
  return names;
}

/**
 * Whether `name` is in `schemaConstraintNames` or names a constraint of `relation`, looked up
 * directly rather than through a set of every name: the first candidate is almost always free, and
 * CREATE TABLE of a partition names a not-null constraint per column, each after a catalog change.
 */
function isConstraintNameTaken(state: EngineState, relation: Relation, name: string): boolean {
  for (const constraint of relation.constraints) if (constraint.name === name) return true;
  for (const other of state.relations.values()) {
    for (const constraint of other.constraints) {
      if (constraint.name === name) return true;
      if (constraint.kind === 'foreignKey')
        for (const partitionName of constraint.referencedPartitionNames.values())
          if (partitionName === name) return true;
    }
  }
  return false;
}

/**
 * ChooseConstraintName: unused schema-wide among constraints (and, for indexes, relation names);
 * `avoid` holds names the same statement has yet to create (CREATE TABLE's named constraints).
 */
export function chooseConstraintName(
  state: EngineState,
  relation: Relation,
  name2: string | null,
  label: string,
  avoid: ReadonlySet<string> = new Set(),
): string {
  let candidate = makeObjectName(relation.name, name2, label);
  for (
    let pass = 1;
    isConstraintNameTaken(state, relation, candidate) || avoid.has(candidate) || isRelationNameTaken(state, candidate);
    pass++
  )
    candidate = makeObjectName(relation.name, name2, `${label}${pass}`);
  return candidate;
}
