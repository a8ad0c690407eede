/**
 * A deep copy of a quiet database's shared state (catalog, heaps, indexes, referencing maps,
 * sequences, counters, clock), independent of the original from then on. Building a schema by
 * running its DDL costs far more than copying the objects it produced, so callers that run many
 * programs over one schema (the permutation driver, a harness running thousands of scenarios) build
 * it once and fork it per run (`Database.fork`).
 *
 * The copy is structural: every object reachable from the state is copied once (with its
 * prototype), so objects that point at each other (a constraint and its relation, a column default
 * and its sequence, a unique index entry and the tuple in the heap) point at each other's copies.
 * Frozen objects (row values) and functions (trigger bodies) are immutable and shared. A new kind
 * of object in the catalog is copied without a change here; one that cannot be copied faithfully
 * (a WeakMap, a Promise) fails loudly instead of being shared by accident.
 */
import { assert } from './assert.js';
import type { DatabaseState } from './databaseState.js';
import { CompiledCopy } from './compiledCopy.js';
import { GraphCopier } from './graphCopy.js';
import type { EngineState } from './session.js';

/**
 * Copies a database's shared state. The database must be quiet: one session (no row versions
 * kept), no transaction open, no scheduler attached. The copy has no sessions yet; the caller
 * opens its first one over it.
 */
export function cloneDatabaseState(source: DatabaseState): DatabaseState {
  assertQuiet(source);
  // The copy shares the original's catalog identity until either changes its catalog: made now if
  // a change dropped it, so the two do not each make one of their own later.
  void source.catalogIdentity;
  const copier = new GraphCopier();
  // The sessions belong to the original; the copy starts with none.
  copier.copies.set(source.sessions, []);
  return copier.copy(source);
}

/** What a copy of a quiet database holds instead of its sessions: none (`cloneDatabaseState`). */
const noSessions = (): unknown => [];

/**
 * Copies of one database's shared state, as `cloneDatabaseState` makes them, for a database copied
 * again and again while it stays as it is (a built schema a campaign forks for every run). A copy at
 * the catalog and data versions of the one before it is made by a compiled copy of the state's graph
 * (compiledCopy.ts), compiled at the second such copy: every write changes one of the versions, so
 * while both hold the graph is very likely the one compiled, and the compiled copy checks that it is
 * as it goes, walking it again where it is not. A database copied once pays nothing for this.
 */
export class RepeatedClones {
  private last: {
    readonly source: DatabaseState;
    readonly catalogVersion: number;
    readonly dataVersion: number;
    compiled: CompiledCopy | null;
  } | null = null;

  clone(source: DatabaseState): DatabaseState {
    const last = this.last;
    if (
      last === null ||
      last.source !== source ||
      last.catalogVersion !== source.catalogVersion ||
      last.dataVersion !== source.dataVersion
    ) {
      const copy = cloneDatabaseState(source);
      this.last = { source, catalogVersion: source.catalogVersion, dataVersion: source.dataVersion, compiled: null };
      return copy;
    }
    assertQuiet(source);
    void source.catalogIdentity;
    if (last.compiled === null) last.compiled = new CompiledCopy(source, new Map([[source.sessions, noSessions]]));
    const copy = last.compiled.run<DatabaseState>();
    if (copy !== null) return copy;
    // The graph changed without a version changing (nothing known does so): walk it, compile anew next time.
    last.compiled = null;
    return cloneDatabaseState(source);
  }
}

/** A database is copied between transactions, with one session and no scheduler attached. */
function assertQuiet(source: DatabaseState): void {
  assert(!source.versioning, 'only a database with one session can be copied');
  assert(source.running.size === 0 && source.versionedRelations.size === 0, 'a copied database keeps no versions');
  assert(
    source.observer === null && source.tableLocks === null && source.lockNow === null,
    'a database with a scheduler attached cannot be copied',
  );
  for (const session of source.sessions)
    assert(session.openXid === null && session.activeSnapshot === null, 'a database is copied between transactions');
}

/** A copy of a database with sessions open, and the way to find the copy of any object of the original. */
export interface SessionStatesCopy {
  readonly shared: DatabaseState;
  /** The copy of an object reachable from the original state (a session, its facade), or the object itself. */
  copyOf<T>(original: T): T;
}

/**
 * Copies a database with several sessions open between two of their statements, open transactions
 * included: each session's transaction block, journal, deferred constraint events, settings and
 * REPEATABLE READ snapshot, the row versions and row locks in the heaps, the running transactions
 * and counters, catalog edits included (their undo is data, catalogUndo.ts). Null when a session's
 * journal holds a closure (rows rewritten in place by ADD, DROP or RENAME COLUMN: its undo is a
 * closure over the original's objects, `Journal.copyable`); the caller then gets the state another
 * way (running the statements again). No statement may be running or suspended (`atTopLevel`): a suspended
 * statement is a generator, which cannot be copied. The scheduler's hooks on the database are not
 * copied (a scheduler over the copy installs its own, `Scheduler.fork`), nor the facades'
 * statement listeners; `rebind` installs each copied session's trigger runtime, whose hooks are
 * closures over the session. `replacements` stand in the copy for the objects they are keyed by.
 */
export function cloneSessionStates(
  source: DatabaseState,
  rebind: (state: EngineState) => void,
  replacements: ReadonlyMap<object, unknown> = new Map(),
): SessionStatesCopy | null {
  // Every session of a database is an EngineState; the shared state sees them through SessionView.
  const states = source.sessions as unknown as readonly EngineState[];
  assert(source.keyClaims.length === 0, 'no write waits in a copied database, so no keys are claimed');
  for (const state of states) {
    assert(state.atTopLevel && state.replays.length === 0, 'sessions are copied between statements');
    assert(state.snapshot === null && state.updatedColumns === null, 'a session between statements holds no snapshot');
    if (!state.journal.copyable) return null;
  }
  // The copy shares the original's catalog identity, as in `cloneDatabaseState`.
  void source.catalogIdentity;
  const copier = new GraphCopier();
  // Objects the caller replaces in the copy (a facade's caches, which the copy rebuilds on use).
  for (const [original, replacement] of replacements) copier.copies.set(original, replacement);
  if (source.observer !== null) copier.copies.set(source.observer, null);
  const shared = copier.copy(source);
  shared.observer = null;
  shared.tableLocks = null;
  shared.lockNow = null;
  for (const original of states) {
    const state = copier.copy(original);
    state.subqueries = null;
    rebind(state);
  }
  return { shared, copyOf: (original) => copier.copy(original) };
}
