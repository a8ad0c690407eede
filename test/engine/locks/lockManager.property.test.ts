/**
 * Random histories of acquires (every mode, some NOWAIT), savepoints, rollbacks to them, releases,
 * commits, cancels and virtual time passing, over four owners and three tags, checked after every
 * step against properties computed here from the manager's public view, independently of its code:
 *
 * - no two owners hold conflicting modes on one tag;
 * - every waiter is blocked: another owner holds a conflicting mode, or a waiter ahead of it in the
 *   queue requests one (else it should have been granted), and `blockersOf` names exactly those;
 * - every cycle of the waits-for graph (hard and soft edges) is gone within deadlock_timeout of
 *   virtual time of its appearance;
 * - the same history replays to a byte-identical transcript.
 *
 * The interesting cases are counted across the runs and must all occur: waits, NOWAIT failures,
 * deadlocks found on joining the queue and by the timed check, soft deadlocks fixed by reordering,
 * lock timeouts and queue jumps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LockStatistics, OwnerId } from '../../../src/engine/locks/lockManager.js';
import { LockManager } from '../../../src/engine/locks/lockManager.js';
import type { LockTag } from '../../../src/engine/locks/lockTag.js';
import { tagKey } from '../../../src/engine/locks/lockTag.js';
import type { TableLockMode } from '../../../src/engine/locks/modes.js';
import { TABLE_LOCK_MODES, tableModesConflict } from '../../../src/engine/locks/modes.js';
import { VirtualClock } from '../../../src/engine/locks/virtualClock.js';

const OWNERS = [1, 2, 3, 4] as const;
const TAGS: readonly LockTag[] = [
  { kind: 'relation', oid: 16401 },
  { kind: 'relation', oid: 16402 },
  { kind: 'tuple', oid: 16401, tid: 7 },
];
const DEADLOCK_TIMEOUT = 100;

type Op =
  | { op: 'acquire'; owner: number; tag: number; mode: TableLockMode; nowait: boolean }
  | { op: 'savepoint' | 'rollbackTo' | 'releaseSavepoint' | 'end' | 'cancel'; owner: number }
  | { op: 'advance'; ms: number };

const ownerArb = fc.constantFrom(...OWNERS);
// The weakest and the strongest modes are drawn more often: the soft deadlocks (an AccessShare
// request queued behind an AccessExclusive one) need them.
const modeArb = fc.constantFrom<TableLockMode>(
  ...TABLE_LOCK_MODES,
  'AccessShare',
  'AccessShare',
  'AccessShare',
  'AccessExclusive',
  'AccessExclusive',
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('acquire' as const),
      owner: ownerArb,
      tag: fc.integer({ min: 0, max: TAGS.length - 1 }),
      mode: modeArb,
      nowait: fc.constant(false),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('acquire' as const),
      owner: ownerArb,
      tag: fc.integer({ min: 0, max: TAGS.length - 1 }),
      mode: modeArb,
      nowait: fc.constant(true),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('savepoint' as const, 'rollbackTo' as const, 'releaseSavepoint' as const),
      owner: ownerArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('end' as const), owner: ownerArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), owner: ownerArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
);

const historyArb = fc.record({
  lockTimeouts: fc.array(fc.constantFrom(0, 0, 0, 130), { minLength: OWNERS.length, maxLength: OWNERS.length }),
  ops: fc.array(opArb, { minLength: 20, maxLength: 80 }),
});

interface Run {
  readonly transcript: string[];
  readonly statistics: LockStatistics;
}

/** Runs a history, checking the properties after each step; returns what happened. */
function run(history: { lockTimeouts: number[]; ops: Op[] }): Run {
  const locks = new LockManager(new VirtualClock(), { debug: true });
  for (const [index, owner] of OWNERS.entries())
    locks.setTimeouts(owner, { deadlockTimeoutMs: DEADLOCK_TIMEOUT, lockTimeoutMs: history.lockTimeouts[index]! });
  const subtransactions = new Map<OwnerId, number[]>(OWNERS.map((owner) => [owner, [0]]));
  let nextSubtransaction = 1;
  const transcript: string[] = [];
  const cycleSince = new Map<string, number>();
  const abort = (owner: OwnerId): readonly OwnerId[] => {
    subtransactions.set(owner, [0]);
    return locks.releaseAll(owner);
  };
  for (const op of history.ops) {
    let outcome: unknown = 'skipped';
    if (op.op === 'advance') {
      // Timer by timer, so a failed waiter's transaction aborts at once, as the session engine's will.
      const target = locks.clock.now() + op.ms;
      const steps: unknown[] = [];
      for (let at = locks.nextTimerAt(); at !== null && at <= target; at = locks.nextTimerAt()) {
        const ended = locks.fireTimersUntil(at);
        const aborted = ended.flatMap((end) =>
          end.kind === 'failed' ? [end.owner, end.error.code, abort(end.owner)] : [],
        );
        steps.push({ at, ended: ended.map((end) => [end.owner, end.kind]), aborted });
        checkProperties(locks, cycleSince);
      }
      locks.fireTimersUntil(target);
      outcome = steps;
    } else {
      const owner = op.owner;
      const stack = subtransactions.get(owner)!;
      const waiting = locks.isWaiting(owner);
      switch (op.op) {
        case 'acquire':
          if (!waiting) {
            const result = locks.acquire(owner, TAGS[op.tag]!, op.mode, {
              nowait: op.nowait,
              relationName: 'items',
              subtransaction: stack.at(-1)!,
            });
            outcome = result.kind === 'failed' ? { failed: result.error.code, aborted: abort(owner) } : result;
          }
          break;
        case 'savepoint':
          if (!waiting) stack.push(nextSubtransaction++);
          break;
        case 'rollbackTo':
          if (!waiting && stack.length > 1) {
            outcome = locks.rollbackSubtransaction(owner, stack.pop()!);
            stack.push(nextSubtransaction++);
          }
          break;
        case 'releaseSavepoint':
          if (!waiting && stack.length > 1) {
            const released = stack.pop()!;
            locks.commitSubtransaction(owner, released, stack.at(-1)!);
            outcome = 'released';
          }
          break;
        case 'end':
          outcome = abort(owner);
          break;
        case 'cancel':
          if (waiting) outcome = locks.cancelWait(owner);
          break;
      }
    }
    transcript.push(JSON.stringify({ op, outcome }), locks.describe());
    checkProperties(locks, cycleSince);
  }
  return { transcript, statistics: locks.statistics() };
}

function checkProperties(locks: LockManager, cycleSince: Map<string, number>): void {
  const holders = new Map<string, { owner: OwnerId; mode: TableLockMode }[]>();
  for (const owner of locks.owners())
    for (const held of locks.locksOf(owner)) {
      const key = tagKey(held.tag);
      const list = holders.get(key) ?? [];
      for (const other of list)
        if (other.owner !== owner)
          expect(
            tableModesConflict(other.mode, held.mode),
            `${owner} holds ${held.mode} and ${other.owner} ${other.mode} on ${key}`,
          ).toBe(false);
      list.push({ owner, mode: held.mode });
      holders.set(key, list);
    }
  const edges = new Map<OwnerId, Set<OwnerId>>();
  for (const owner of locks.owners()) {
    const wait = locks.waitOf(owner);
    if (wait === null) continue;
    const key = tagKey(wait.tag);
    const blockers = new Set<OwnerId>();
    for (const holder of holders.get(key) ?? [])
      if (holder.owner !== owner && tableModesConflict(holder.mode, wait.mode)) blockers.add(holder.owner);
    const queue = locks.queueOf(wait.tag);
    for (const ahead of queue.slice(0, queue.indexOf(owner)))
      if (tableModesConflict(locks.waitOf(ahead)!.mode, wait.mode)) blockers.add(ahead);
    expect(blockers.size, `owner ${owner} waits on ${key} though nothing blocks it`).toBeGreaterThan(0);
    expect(new Set(wait.blockers)).toEqual(blockers);
    edges.set(owner, blockers);
  }
  // Cycles: the strongly connected components with more than one owner, by their exact edges.
  const now = locks.clock.now();
  const present = new Set<string>();
  for (const component of cyclicComponents(edges)) {
    const signature = component
      .map((owner) => `${owner}>${[...edges.get(owner)!].filter((to) => component.includes(to)).sort()}`)
      .join(' ');
    present.add(signature);
    const since = cycleSince.get(signature) ?? now;
    cycleSince.set(signature, since);
    expect(now - since, `the waits-for cycle ${signature} has lasted from ${since} to ${now}`).toBeLessThan(
      DEADLOCK_TIMEOUT,
    );
  }
  for (const signature of [...cycleSince.keys()]) if (!present.has(signature)) cycleSince.delete(signature);
}

/** Tarjan's algorithm, keeping components that contain a cycle; owners sorted within each. */
function cyclicComponents(edges: ReadonlyMap<OwnerId, ReadonlySet<OwnerId>>): OwnerId[][] {
  const index = new Map<OwnerId, number>();
  const low = new Map<OwnerId, number>();
  const stack: OwnerId[] = [];
  const onStack = new Set<OwnerId>();
  const components: OwnerId[][] = [];
  let counter = 0;
  const visit = (owner: OwnerId): void => {
    index.set(owner, counter);
    low.set(owner, counter);
    counter += 1;
    stack.push(owner);
    onStack.add(owner);
    for (const next of edges.get(owner) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(owner, Math.min(low.get(owner)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(owner, Math.min(low.get(owner)!, index.get(next)!));
    }
    if (low.get(owner) !== index.get(owner)) return;
    const component: OwnerId[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
      if (member === owner) break;
    }
    if (component.length > 1) components.push(component.sort((a, b) => a - b));
  };
  for (const owner of [...edges.keys()].sort((a, b) => a - b)) if (!index.has(owner)) visit(owner);
  return components;
}

describe('lock manager properties (fixed seed)', () => {
  it('never grants conflicting modes, never leaves a grantable waiter, breaks every cycle within deadlock_timeout, replays byte for byte', () => {
    const totals: LockStatistics = {
      waits: 0,
      nowaitFailures: 0,
      immediateDeadlocks: 0,
      deadlocks: 0,
      softDeadlocks: 0,
      lockTimeouts: 0,
      queueJumps: 0,
    };
    fc.assert(
      fc.property(historyArb, (history) => {
        const first = run(history);
        const second = run(history);
        expect(second.transcript.join('\n')).toBe(first.transcript.join('\n'));
        for (const key of Object.keys(totals) as (keyof LockStatistics)[]) totals[key] += first.statistics[key];
      }),
      { seed: 20261201, numRuns: 400 },
    );
    for (const [key, count] of Object.entries(totals)) expect(count, `${key} never happened`).toBeGreaterThan(0);
  });
});
