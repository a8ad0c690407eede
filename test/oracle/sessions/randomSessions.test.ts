/**
 * The random multi-session programs without a server: a fixed (seed, run) always gives the same
 * program; the capability list decides which session features are drawn; every feature the
 * campaign promises is drawn; names and values reach SQL only through the quoting functions; the
 * chooser is deterministic; and the record comparison finds differences and ignores only what
 * PostgreSQL does not promise.
 */
import { describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../../../src/engine/sqlText.js';
import { releasedTogether } from '../../../src/oracle/server/permutationDriver.js';
import type { PermutationOutcome } from '../../../src/oracle/server/permutationDriver.js';
import type { SettleReport } from '../../../src/oracle/server/sessionBackend.js';
import { HOSTILE_NAME } from '../../../src/oracle/randomProgram.js';
import { generateSessionProgram, runSeed } from '../../../src/oracle/sessions/randomSessions.js';
import { randomChooser } from '../../../src/oracle/sessions/randomScheduler.js';
import { firstDifference, scheduleRecord } from '../../../src/oracle/sessions/scheduleRecord.js';
import { SESSION_FEATURES, SQL_ONLY_FEATURES, featureOf } from '../../../src/oracle/sessions/sessionOps.js';
import type { SessionFeature } from '../../../src/oracle/sessions/sessionOps.js';

const ALL = new Set<SessionFeature>(SESSION_FEATURES);
const programs = Array.from({ length: 60 }, (_, run) => generateSessionProgram(11, run, 3, ALL));

describe('random multi-session programs', () => {
  it('are a function of (seed, run): the same data and SQL every time, different across runs', () => {
    const again = generateSessionProgram(11, 7, 3, ALL);
    const { program, sql } = programs[7]!;
    expect(JSON.stringify(again.program)).toBe(JSON.stringify(program));
    expect(again.sql).toEqual(sql);
    expect(JSON.stringify(programs[8]!.sql)).not.toBe(JSON.stringify(sql));
    expect(runSeed(11, 7)).not.toBe(runSeed(11, 8));
    expect(runSeed(11, 7)).not.toBe(runSeed(12, 7));
  });

  it('have N sessions of uniquely named steps, each ending its transactions', () => {
    for (const { program, sql } of programs) {
      expect(program.sessions.map((session) => session.name)).toEqual(['s1', 's2', 's3']);
      const names = sql.sessions.flatMap((session) => session.steps.map((step) => step.name));
      expect(new Set(names).size).toBe(names.length);
      for (const session of sql.sessions) {
        expect(session.steps.length).toBeGreaterThan(0);
        // Sessions never finish holding locks: every BEGIN is closed by COMMIT or ROLLBACK.
        let open = false;
        for (const step of session.steps) {
          if (step.sql.startsWith('BEGIN')) open = true;
          if (step.sql === 'COMMIT' || step.sql === 'ROLLBACK') open = false;
        }
        expect(open).toBe(false);
      }
    }
  });

  it('draw every session feature, and mark the ones the engine has no statement value for', () => {
    const sqlOf = (predicate: (text: string) => boolean): number =>
      programs
        .flatMap(({ sql }) => sql.sessions.flatMap((session) => session.steps))
        .filter((step) => predicate(step.sql)).length;
    expect(sqlOf((text) => text.startsWith('BEGIN ISOLATION LEVEL REPEATABLE READ'))).toBeGreaterThan(0);
    expect(sqlOf((text) => /FOR (UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)$/.test(text))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.endsWith(' NOWAIT') && text.startsWith('SELECT'))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.endsWith(' SKIP LOCKED'))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.startsWith('LOCK TABLE'))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.startsWith('SET lock_timeout'))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.startsWith('SET deadlock_timeout'))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.startsWith('ALTER TABLE'))).toBeGreaterThan(0);
    expect(sqlOf((text) => text.startsWith('SAVEPOINT'))).toBeGreaterThan(0);
    for (const feature of SESSION_FEATURES)
      expect(
        programs.some(({ program }) =>
          program.sessions.some((s) => s.steps.some((step) => featureOf(step.op) === feature)),
        ),
      ).toBe(true);
    for (const { program } of programs)
      for (const session of program.sessions)
        for (const step of [...session.steps.map((s) => s.op), ...session.setup])
          expect(step.kind === 'sqlOnly').toBe(SQL_ONLY_FEATURES.includes(featureOf(step)));
    // Schemas come from the single-session generator: partitions, FKs, CHECKs and triggers.
    const setup = programs.flatMap(({ sql }) => sql.setup).join('\n');
    for (const shape of ['PARTITION BY LIST', 'FOREIGN KEY', 'CHECK (', 'CREATE TRIGGER'])
      expect(setup).toContain(shape);
  });

  it('draw only from the features a backend runs', () => {
    const basic = new Set<SessionFeature>(['dml', 'transactions', 'ddl']);
    for (let run = 0; run < 30; run += 1) {
      const { program, sql } = generateSessionProgram(5, run, 2, basic);
      for (const session of program.sessions) {
        expect(session.setup).toEqual([]);
        for (const step of session.steps) expect(basic.has(featureOf(step.op))).toBe(true);
      }
      expect(
        sql.sessions
          .flatMap((session) => session.steps)
          // (SET CONSTRAINTS is transaction control, drawn with 'transactions'; SET of a timeout is not.)
          .some((step) =>
            / FOR (UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)|^LOCK |ISOLATION|^SET (?!CONSTRAINTS)/.test(step.sql),
          ),
      ).toBe(false);
    }
  });

  it('quote the hostile table name wherever it reaches SQL', () => {
    let seen = 0;
    for (let run = 0; run < 200 && seen < 3; run += 1) {
      const { program, sql } = generateSessionProgram(3, run, 2, ALL);
      if (!program.tables.some((table) => table.name === HOSTILE_NAME)) continue;
      seen += 1;
      const texts = [...sql.setup, ...sql.sessions.flatMap((session) => session.steps.map((step) => step.sql))];
      const quoted = quoteIdentifier(HOSTILE_NAME);
      expect(texts.some((text) => text.includes(quoted))).toBe(true);
      // Remove every quoted occurrence: what is left must not hold the name's raw text.
      for (const text of texts) expect(text.replaceAll(quoted, '')).not.toContain('DROP TABLE');
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('the random chooser', () => {
  it('chooses the same schedule for the same seed and observations, and steps waiting sessions only on purpose', () => {
    const { sql } = programs[3]!;
    const drive = (seed: number, waiting: (position: number) => boolean[]): string[] => {
      const choose = randomChooser(sql, seed, { deliberateWait: 0 });
      const chosen: string[] = [];
      for (let position = 0; position < 100; position += 1) {
        const name = choose({ position, inFlight: waiting(position), stuck: false });
        if (name === null) break;
        chosen.push(name);
      }
      return chosen;
    };
    const free = (): boolean[] => [false, false, false];
    const total = sql.sessions.reduce((sum, session) => sum + session.steps.length, 0);
    expect(drive(9, free)).toEqual(drive(9, free));
    expect(drive(9, free)).toHaveLength(total);
    expect(drive(9, free)).not.toEqual(drive(10, free));
    // Session s1 waits throughout: its steps come only once the other sessions have none left.
    const s1Waits = drive(9, () => [true, false, false]);
    const firstS1 = s1Waits.findIndex((name) => name.startsWith('s1_'));
    expect(s1Waits.slice(firstS1 + 1).every((name) => name.startsWith('s1_'))).toBe(true);
  });
});

describe('schedule records', () => {
  const outcome = (changes: Partial<PermutationOutcome> = {}): PermutationOutcome => ({
    program: 'p',
    permutation: ['a1', 'b1'],
    steps: [
      {
        step: 'a1',
        session: 'a',
        issued: 0,
        blocked: null,
        completedAfter: 0,
        result: { ok: true, rowCount: 2, rows: [{ k: 2 }, { k: 1 }] },
      },
      {
        step: 'b1',
        session: 'b',
        issued: 1,
        blocked: { by: ['a'], lock: 'ShareLock on transaction' },
        completedAfter: 1,
        result: { ok: false, code: '40P01', constraint: null, message: 'deadlock detected' },
      },
    ],
    completionOrder: ['a1', 'b1'],
    neverCompleted: [],
    neverIssued: [],
    contents: [
      {
        table: 'audit',
        rows: [
          { n: 1, op: 'INSERT' },
          { n: 2, op: 'DELETE' },
        ],
      },
    ],
    attempts: 1,
    simultaneousWakeups: 0,
    ...changes,
  });

  it('agree when only scan order, messages, lock texts and sequence values of concurrent sessions differ', () => {
    const base = outcome();
    const other = outcome({
      steps: base.steps.map((step, index) =>
        index === 0
          ? { ...step, result: { ok: true, rowCount: 2, rows: [{ k: 1 }, { k: 2 }] } }
          : {
              ...step,
              blocked: { by: ['a'], lock: 'ExclusiveLock on tuple' },
              result: { ok: false, code: '40P01', constraint: null, message: 'other' },
            },
      ),
      contents: [
        {
          table: 'audit',
          rows: [
            { n: 7, op: 'DELETE' },
            { n: 9, op: 'INSERT' },
          ],
        },
      ],
    });
    // Sequence values are compared unless sessions ran at the same time (simultaneous wake-ups).
    expect(firstDifference(scheduleRecord(base, true), scheduleRecord(other, true))).toBeNull();
    expect(firstDifference(scheduleRecord(base, false), scheduleRecord(other, false))?.what).toBe('table audit');
  });

  it('report the first differing step, with both records', () => {
    const base = outcome();
    const unblocked = outcome({ steps: [base.steps[0]!, { ...base.steps[1]!, blocked: null }] });
    expect(firstDifference(scheduleRecord(base, false), scheduleRecord(unblocked, false))).toMatchObject({
      step: 'b1',
      what: 'step',
    });
    const wrongCode = outcome({
      steps: [
        base.steps[0]!,
        { ...base.steps[1]!, result: { ok: false, code: '55P03', constraint: null, message: '' } },
      ],
    });
    const difference = firstDifference(scheduleRecord(base, false), scheduleRecord(wrongCode, false));
    expect(difference?.left).toContain('40P01');
    expect(difference?.right).toContain('55P03');
    const moreRows = outcome({ steps: [{ ...base.steps[0]!, result: { ok: true, rowCount: 3 } }, base.steps[1]!] });
    expect(firstDifference(scheduleRecord(base, false), scheduleRecord(moreRows, false))?.step).toBe('a1');
    const order = outcome({ completionOrder: ['b1', 'a1'] });
    expect(firstDifference(scheduleRecord(base, false), scheduleRecord(order, false))?.what).toBe('completion order');
    const rows = outcome({ contents: [{ table: 'audit', rows: [{ n: 1, op: 'INSERT' }] }] });
    expect(firstDifference(scheduleRecord(base, false), scheduleRecord(rows, false))?.what).toBe('table audit');
  });
});

describe('waiting steps released together', () => {
  const waiting = (session: number, blockedBy: number[]) => ({ session, blockedBy, lock: 'ShareLock on transaction' });
  const report = (changes: Partial<SettleReport>): SettleReport => ({
    completed: [],
    waiting: [],
    waited: [],
    reached: true,
    timingViolation: null,
    ...changes,
  });
  const ok = { ok: true as const, rowCount: 1 };
  const failed = (code: string) => ({ ok: false as const, code, constraint: null, message: '' });
  const before = [waiting(1, [0]), waiting(2, [0])];

  it('counts steps that completed on a release, or now wait for someone new', () => {
    const both = report({
      completed: [
        { session: 1, result: ok },
        { session: 2, result: failed('23505') },
      ],
    });
    expect(releasedTogether(before, both)).toBe(2);
    const rewaited = report({ completed: [{ session: 1, result: ok }], waiting: [waiting(2, [1])] });
    expect(releasedTogether(before, rewaited)).toBe(2);
  });

  it('counts a step that began to wait in the settle and was released in it with another', () => {
    // Seed 12, run 226: s1 waits for s2, s3 queues behind s1; s2's step, issued in this settle, waits
    // for s1's row; s1's deadlock check wakes s3 and its abort wakes s2, a race on the server.
    const victimBefore = [waiting(0, [1]), waiting(2, [0])];
    const released = report({
      completed: [
        { session: 0, result: failed('40P01') },
        { session: 1, result: ok },
        { session: 2, result: ok },
      ],
      waited: [waiting(0, [1]), waiting(1, [0]), waiting(2, [0])],
    });
    expect(releasedTogether(victimBefore, released)).toBe(2);
  });

  it('does not count a deadlock victim, a lock_timeout, or a step still queued behind the same waiter', () => {
    const victim = report({
      completed: [
        { session: 1, result: failed('40P01') },
        { session: 2, result: ok },
      ],
    });
    expect(releasedTogether(before, victim)).toBe(1);
    const timeout = report({ completed: [{ session: 1, result: failed('55P03') }], waiting: [waiting(2, [0])] });
    expect(releasedTogether(before, timeout)).toBe(0);
    const queued = [waiting(1, [0]), waiting(2, [0, 1])];
    expect(
      releasedTogether(queued, report({ completed: [{ session: 1, result: ok }], waiting: [waiting(2, [1])] })),
    ).toBe(1);
  });
});
