import { assert } from '../assert.js';
import { Sequence } from '../catalog.js';
import type { Relation } from '../catalog.js';
import { PgError, SqlState } from '../errors.js';
import type { EngineState } from '../session.js';
import { deleteMapEntry, setField, setMapEntry } from './catalogEdits.js';
import { isRelationNameTaken } from './naming.js';

/**
 * Sequences. Creating, dropping and re-owning one is transactional DDL; `nextval` is not, so a
 * rolled-back statement still consumes numbers, exactly as in PostgreSQL.
 */
export interface SequenceOptions {
  readonly start?: number;
  readonly increment?: number;
}

export function createSequence(
  state: EngineState,
  name: string,
  options: SequenceOptions = {},
  ownedBy: Sequence['ownedBy'] = null,
): Sequence {
  if (isRelationNameTaken(state, name)) throw new PgError(SqlState.duplicateTable, `relation "${name}" already exists`);
  const sequence = new Sequence(
    state.shared.allocateSequenceId(),
    name,
    options.start ?? 1,
    options.increment ?? 1,
    ownedBy,
  );
  setMapEntry(state, state.sequences, name, sequence);
  // Dropping a sequence leaves this entry: a column default of another table may still draw from
  // it (the engine drops an owned sequence with its table or column without CASCADE to defaults).
  setMapEntry(state, state.shared.sequencesById, sequence.id, sequence);
  return sequence;
}

/** The sequence a `nextval` column default names (`ColumnDefault`). */
export function sequenceOfDefault(state: EngineState, sequenceId: number): Sequence {
  const sequence = state.shared.sequencesById.get(sequenceId);
  assert(sequence !== undefined, `a column default names sequence ${sequenceId}, which was never created`);
  return sequence;
}

export function lookupSequence(state: EngineState, name: string): Sequence {
  const sequence = state.sequences.get(name);
  if (sequence === undefined) throw new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  return sequence;
}

/** ALTER SEQUENCE … OWNED BY table.column (or NONE). */
export function setSequenceOwner(
  state: EngineState,
  name: string,
  owner: { relation: Relation; column: string } | null,
): void {
  const sequence = lookupSequence(state, name);
  if (owner !== null && owner.relation.column(owner.column) === undefined) {
    throw new PgError(
      SqlState.undefinedColumn,
      `column "${owner.column}" of relation "${owner.relation.name}" does not exist`,
    );
  }
  setField(state, sequence, 'ownedBy', owner);
}

export function renameSequence(state: EngineState, name: string, newName: string): void {
  const sequence = lookupSequence(state, name);
  if (isRelationNameTaken(state, newName))
    throw new PgError(SqlState.duplicateTable, `relation "${newName}" already exists`);
  deleteMapEntry(state, state.sequences, name);
  setMapEntry(state, state.sequences, newName, sequence);
  setField(state, sequence, 'name', newName);
}

/** DROP SEQUENCE (RESTRICT): a column default that calls nextval() on it depends on it, as in PostgreSQL. */
export function dropSequence(state: EngineState, name: string): void {
  const sequence = lookupSequence(state, name);
  for (const relation of state.relations.values()) {
    // Partitions carry copies of their parent's defaults; PostgreSQL reports the first table found.
    const column = relation.columns.find(
      (candidate) => candidate.default?.kind === 'nextval' && candidate.default.sequenceId === sequence.id,
    );
    if (column !== undefined) {
      throw new PgError(
        SqlState.dependentObjectsStillExist,
        `cannot drop sequence ${name} because other objects depend on it`,
        {
          detail: `default value for column ${column.name} of table ${relation.name} depends on sequence ${name}`,
        },
      );
    }
  }
  deleteMapEntry(state, state.sequences, name);
}
