/**
 * The part of the engine's state that every session of one database shares: the catalog, the
 * heaps and indexes (reached through the relations), sequences, the logical clock, the counters
 * that name objects, tuples and transactions, and the table of running transactions that
 * snapshots are taken from. Per-session state (transaction block, journal, query levels, snapshot)
 * lives in `EngineState` (session.ts), which reaches this through `shared`.
 *
 * Row versions are kept only while several sessions are open (`versioning`): a database with its
 * one session never keeps an old version, so its heaps and speed are those of the single-session
 * engine (docs/concurrency.md, "How the engine models it").
 */
import { assert } from './assert.js';
import type { ForeignKeyConstraint, IndexDefinition, Relation, Sequence, Tuple } from './catalog.js';
import type { IndexKey } from './keys.js';
import type { EngineOptions } from './session.js';
import type { Snapshot } from './sessions/snapshot.js';
import type { LockWait } from './sessions/suspension.js';
import type { Statement } from './statements/registry.js';

/** What the shared state needs to know about each session to keep the versions it may read. */
export interface SessionView {
  /** The snapshot a statement of the session runs with (or its REPEATABLE READ transaction's), or null. */
  readonly activeSnapshot: Snapshot | null;
  /** The session's open transaction block's xid, or null. */
  readonly openXid: number | null;
}

/**
 * A unique key held by a write that waits in a later index's unique check (`claimKeysForUniqueWait`
 * in storage.ts): PostgreSQL has written the heap tuple and the entries of the indexes before the
 * one it waits in, so another writer of the key waits for `xid`. It lasts as long as the wait.
 */
export interface KeyClaim {
  readonly session: SessionView;
  readonly xid: number;
  readonly index: IndexDefinition;
  readonly key: IndexKey;
}

export interface TransactionObserver {
  started(session: SessionView, xid: number): void;
  ended(session: SessionView, xid: number): void;
  /** ROLLBACK TO SAVEPOINT (or an error inside one): what subtransactions ≥ `level` took is given back. */
  subtransactionRolledBack(session: SessionView, level: number): void;
  /** RELEASE SAVEPOINT: what subtransactions ≥ `level` took now belongs to `parent`. */
  subtransactionReleased(session: SessionView, level: number, parent: number): void;
}

export class DatabaseState {
  readonly relations = new Map<string, Relation>();
  readonly sequences = new Map<string, Sequence>();
  /** The same sequences by id, which column defaults name them by (`ColumnDefault`). */
  readonly sequencesById = new Map<number, Sequence>();
  /** Bumped by every catalog change (and its undo) so derived per-relation plans are rebuilt. */
  catalogVersion = 0;
  /**
   * The token `catalogIdentity` hands out, or null once a catalog change (or its undo) made the last
   * one stale (`catalogChanged`): a run makes some two hundred catalog changes and reads the identity
   * a few times, so the next token is made when it is read rather than at every change.
   */
  private catalogToken: object | null = Object.freeze({});

  /**
   * The catalog as it stands, as a value: a new token after every catalog change (and its undo).
   * Frozen, so a fork shares it with its original until either changes its catalog (a copy is made
   * with the token in place, `cloneDatabaseState`), and two forks never share one afterwards (their
   * versions may meet again, their identities never do: each change drops the token, and the next
   * read makes a new object): what is derived from the catalog alone may be cached by it across forks
   * (the scheduler's table locks).
   */
  get catalogIdentity(): object {
    if (this.catalogToken === null) this.catalogToken = Object.freeze({});
    return this.catalogToken;
  }

  /** Every catalog change (and its undo) ends the current identity (`catalogIdentity`). */
  catalogChanged(): void {
    this.catalogToken = null;
  }
  /** The catalog's root foreign keys at one catalog version, for the relations' plans (relationPlan.ts). */
  rootForeignKeys: {
    readonly version: number;
    readonly foreignKeys: readonly ForeignKeyConstraint[];
  } | null = null;
  /** Bumped by every row write and its undo; readers cache what they derived until it changes. */
  dataVersion = 0;
  /** Logical clock read by `now()` defaults; advanced only by the caller, never by wall time. */
  clock = 0;
  /** Transactions in progress, while versioning is on (a single session needs no such table). */
  readonly running = new Set<number>();
  /**
   * True once a second session was opened: from then on writes keep the versions they replace or
   * delete (until no snapshot can see them) and reads go through snapshots.
   */
  versioning = false;
  /** Relations holding old versions (replaced or deleted ones), so pruning visits only those. */
  readonly versionedRelations = new Set<Relation>();
  readonly sessions: SessionView[] = [];
  /** The keys held by writes waiting in a unique check (empty unless one does; see `KeyClaim`). */
  keyClaims: readonly KeyClaim[] = [];
  private nextXid = 1;
  private nextOid = 16384;
  private nextTid = 1;
  private nextSerial = 1;
  private nextSequenceId = 1;

  constructor(readonly options: EngineOptions) {}

  allocateOid(): number {
    return this.nextOid++;
  }

  allocateTid(): number {
    return this.nextTid++;
  }

  allocateSerial(): number {
    return this.nextSerial++;
  }

  allocateSequenceId(): number {
    return this.nextSequenceId++;
  }

  /**
   * Turns versioning on (a second session opens). Transactions already open are registered as
   * running, so the new session's snapshots do not see their uncommitted rows.
   */
  beginVersioning(): void {
    if (this.versioning) return;
    this.versioning = true;
    for (const session of this.sessions) if (session.openXid !== null) this.running.add(session.openXid);
  }

  /**
   * Forgets `closing` (sessions that will run no statement again) and, when one session is left and
   * nothing versioned remains, turns versioning off: with no transaction running and no snapshot
   * taken, every old version is pruned already, so the rows are what a single session would hold,
   * and from here on statements run as a single session's do (no snapshot, no versions kept, no
   * replay logs), which no other session can observe. Returns whether versioning ended.
   */
  closeSessions(closing: readonly SessionView[]): boolean {
    for (const session of closing) {
      assert(session.openXid === null, 'a session closed inside a transaction');
      const index = this.sessions.indexOf(session);
      assert(index >= 0, 'closing a session of another database');
      this.sessions.splice(index, 1);
    }
    if (!this.versioning || this.sessions.length !== 1 || this.sessions[0]!.openXid !== null) return false;
    if (this.running.size > 0 || this.versionedRelations.size > 0 || this.keyClaims.length > 0) return false;
    assert(this.observer === null && this.lockNow === null, 'versioning ends only without a scheduler');
    this.versioning = false;
    return true;
  }

  /** A new transaction id; registered as running while versioning is on. */
  allocateXid(): number {
    const xid = this.nextXid++;
    if (this.versioning) this.running.add(xid);
    return xid;
  }

  /** The xid the next transaction will get: a snapshot's upper bound. */
  get xidHorizon(): number {
    return this.nextXid;
  }

  /**
   * The table locks a statement takes before it runs, as waits for the scheduler to grant (installed
   * by a scheduler; with none, statements take no table locks).
   */
  tableLocks: ((statement: Statement) => readonly LockWait[]) | null = null;
  /**
   * Requests one table lock for a session at once: true when granted, false when the session is now
   * queued for it (the statement then yields the wait); a NOWAIT or deadlock failure is thrown.
   */
  lockNow: ((session: SessionView, wait: LockWait) => boolean) | null = null;
  /** Told when a session's transaction starts and ends (the scheduler takes and releases its locks). */
  observer: TransactionObserver | null = null;

  transactionStarted(session: SessionView, xid: number): void {
    this.observer?.started(session, xid);
  }

  /** Ends a transaction (its effects are already committed or undone) and drops versions no one can see. */
  endTransaction(session: SessionView, xid: number): void {
    if (!this.versioning) return;
    this.running.delete(xid);
    this.pruneVersions();
    this.observer?.ended(session, xid);
  }

  /**
   * The oldest transaction id some snapshot may still see as running: a version deleted or
   * replaced by a committed transaction older than this is invisible to everyone and is dropped.
   */
  private visibilityHorizon(): number {
    let horizon = this.nextXid;
    for (const xid of this.running) if (xid < horizon) horizon = xid;
    for (const session of this.sessions) {
      const snapshot = session.activeSnapshot;
      if (snapshot !== null && snapshot.xmin < horizon) horizon = snapshot.xmin;
    }
    return horizon;
  }

  /** Drops old versions that no snapshot, present or future, can see (PostgreSQL's pruning). */
  pruneVersions(): void {
    const horizon = this.visibilityHorizon();
    for (const relation of this.versionedRelations) {
      const versions = relation.oldVersions;
      assert(versions !== null, `relation ${relation.name} is listed as versioned without versions`);
      for (const version of versions) {
        const xmax = version.xmax ?? 0;
        assert(xmax !== 0, `old version of tuple ${version.tid} in ${relation.name} has no xmax`);
        if (xmax >= horizon || this.running.has(xmax)) continue;
        versions.delete(version);
        if (relation.ghosts?.get(version.tid) === version) relation.ghosts.delete(version.tid);
        else cutFromChain(relation, version);
      }
      if (versions.size === 0) {
        relation.oldVersions = null;
        relation.ghosts = null;
        this.versionedRelations.delete(relation);
      }
    }
  }
}

/** Unlinks a pruned version from the version chain that holds it (everything older goes with it). */
function cutFromChain(relation: Relation, version: Tuple): void {
  let newer: Tuple | undefined = relation.heap?.get(version.tid) ?? relation.ghosts?.get(version.tid);
  for (let steps = 0; newer !== undefined && steps < 1_000_000; steps++) {
    if (newer.prior === version) {
      newer.prior = null;
      return;
    }
    newer = newer.prior ?? undefined;
  }
}
