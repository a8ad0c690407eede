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
 * Every relation-namespace name in use: tables, indexes and sequences share it, as in pg_class.
 * Cached on the session per catalog version: creating a partitioned copy names dozens of objects in a row.
 */
function relationNamespaceNames(state: EngineState): ReadonlySet<string> {
  const cached = state.namespaceCache;
  if (cached !== null && cached.version === state.catalogVersion) return cached.names;
  const names = collectRelationNamespaceNames(state);
  state.namespaceCache = { version: state.catalogVersion, names };
  return names;
}

function collectRelationNamespaceNames(state: EngineState): Set<string> {
  const names = new Set<string>(state.relations.keys());
  for (const sequence of state.sequences.keys()) names.add(sequence);
  for (const relation of state.relations.values()) for (const index of relation.indexes) names.add(index.name);
  return names;
}

export function isRelationNameTaken(state: EngineState, name: string): boolean {
  return relationNamespaceNames(state).has(name);
}

/** ChooseRelationName: on a clash, the label gains a counter (`key1`, `idx2`, …). */
export function chooseRelationName(state: EngineState, name1: string, name2: string | null, label: string): string {
  const taken = relationNamespaceNames(state);
  let candidate = makeObjectName(name1, name2, label);
  for (let pass = 1; taken.has(candidate); pass++) candidate = makeObjectName(name1, name2, `${label}${pass}`);
  return candidate;
}

/** ChooseConstraintName: unique among the relation's constraints (and, for indexes, relation names). */
export function chooseConstraintName(
  state: EngineState,
  relation: Relation,
  name2: string | null,
  label: string,
): string {
  const taken = new Set(relation.constraints.map((constraint) => constraint.name));
  const relationNames = relationNamespaceNames(state);
  let candidate = makeObjectName(relation.name, name2, label);
  for (let pass = 1; taken.has(candidate) || relationNames.has(candidate); pass++)
    candidate = makeObjectName(relation.name, name2, `${label}${pass}`);
  return candidate;
}
