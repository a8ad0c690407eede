/**
 * TRUNCATE: empties tables (a partitioned table with all its partitions) in one statement,
 * without row triggers and without per-row foreign-key actions. PostgreSQL refuses it while a
 * foreign key from a table outside the truncated set references any of them
 * (heap_truncate_check_FKs), or, with CASCADE, truncates those referencing tables as well.
 * Sequences are left alone (RESTART IDENTITY is not modelled).
 */
import type { ForeignKeyConstraint, Relation } from '../catalog.js';
import { checkNotPendingTriggerEvents } from '../deferredConstraints.js';
import { PgError, SqlState } from '../errors.js';
import { lookupRelation } from '../scan.js';
import type { EngineState } from '../session.js';
import { deleteTuple, liveTuples, truncateVersioned } from '../storage.js';

export interface TruncateOptions {
  readonly cascade?: boolean;
}

function withDescendants(relation: Relation): Relation[] {
  return [relation, ...relation.partitions.flatMap(withDescendants)];
}

/** Foreign keys (including partitions' copies) that reference a relation of the set from outside it. */
function outsideReferences(state: EngineState, truncated: ReadonlySet<Relation>): ForeignKeyConstraint[] {
  const found: ForeignKeyConstraint[] = [];
  for (const relation of state.relations.values()) {
    if (truncated.has(relation)) continue;
    for (const foreignKey of relation.foreignKeys()) {
      if ([...truncated].some((target) => foreignKey.referencedRelation.isAncestorOrSelfOf(target)))
        found.push(foreignKey);
    }
  }
  return found;
}

export function truncateTables(state: EngineState, names: readonly string[], options: TruncateOptions = {}): void {
  const truncated = new Set<Relation>();
  for (const name of names)
    for (const relation of withDescendants(lookupRelation(state, name))) truncated.add(relation);
  // CASCADE adds the referencing tables (and what references them) until the set is closed.
  for (let round = 0; ; round++) {
    if (round > state.relations.size) throw new Error('TRUNCATE CASCADE did not reach a fixed point');
    const references = outsideReferences(state, truncated);
    if (references.length === 0) break;
    const first = references[0]!;
    if (!options.cascade) {
      throw new PgError(
        SqlState.featureNotSupported,
        'cannot truncate a table referenced in a foreign key constraint',
        {
          detail: `Table "${first.relation.name}" references "${first.referencedRelation.name}".`,
        },
      );
    }
    for (const foreignKey of references) {
      let root = foreignKey.relation;
      while (root.parent !== null && !truncated.has(root.parent)) root = root.parent;
      for (const relation of withDescendants(root)) {
        if (!truncated.has(relation)) state.notices.push(`NOTICE: truncate cascades to table "${relation.name}"`);
        truncated.add(relation);
      }
    }
  }
  // ExecuteTruncate checks every table it truncates, those CASCADE added included, for pending
  // trigger events (truncate_check_activity → CheckTableNotInUse) before it truncates any: a
  // referencing table with a deferred key's check queued refuses TRUNCATE … CASCADE of its
  // referenced table with 55006 (seed 20, run 276 on the server).
  for (const relation of truncated) checkNotPendingTriggerEvents(state.deferred, relation, 'TRUNCATE', false);
  for (const relation of truncated) {
    if (relation.heap === null) continue;
    if (state.versioning) truncateVersioned(state, relation);
    else for (const tuple of [...liveTuples(relation)]) deleteTuple(state, relation, tuple);
  }
}
