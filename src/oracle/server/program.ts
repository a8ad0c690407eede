/**
 * Multi-session programs as data, in the shape of PostgreSQL's isolation tester: a setup, sessions
 * that each own a list of named steps (SQL, including BEGIN/COMMIT, SET, locking reads and DDL),
 * and permutations, each the order in which steps are issued. The same value runs on the real
 * server now and on the engine later, through a `SessionBackend`.
 */
import type { Statement } from '../../engine/statements/registry.js';
import type { ProgramOp } from '../randomProgram.js';
import type { SessionOp } from '../sessions/sessionOps.js';

export interface ProgramStep {
  /** Unique across the program; permutations name steps by it. */
  readonly name: string;
  /** One or more statements, sent as one simple-protocol query. */
  readonly sql: string;
  /**
   * The same step as engine statement values, run in order by the engine's sessions
   * (`engineSessionBackend.ts`); a program without them runs on the server only.
   */
  readonly statements?: readonly Statement[];
  /**
   * The step as data, when the program was generated from values (`pgdrill diff --sessions`): what
   * a backend that does not read SQL (the engine's sessions) runs instead of `sql`.
   */
  readonly op?: SessionOp;
}

export interface ProgramSession {
  readonly name: string;
  /** Run in this session before each permutation, once the world is set up (e.g. `SET lock_timeout`). */
  readonly setup?: readonly string[];
  /** The session setup as engine statement values. */
  readonly setupStatements?: readonly Statement[];
  /** The same as data, when generated from values (see `ProgramStep.op`). */
  readonly setupOps?: readonly SessionOp[];
  readonly steps: readonly ProgramStep[];
}

export interface SessionProgram {
  readonly name: string;
  /** One or two sentences: what the schedule shows. */
  readonly description: string;
  /** Builds the world before each permutation, statement by statement, outside any session. */
  readonly setup: readonly string[];
  /** The setup as engine statement values (the engine runs these instead of the SQL). */
  readonly setupStatements?: readonly Statement[];
  /** The same as engine statement values, when generated from values (see `ProgramStep.op`). */
  readonly setupOps?: readonly ProgramOp[];
  readonly sessions: readonly ProgramSession[];
  /** Each permutation lists step names in issue order; a step may be left out, none may repeat. */
  readonly permutations: readonly (readonly string[])[];
}

/** Where each step lives: its session's index and the step itself. */
export interface ResolvedStep {
  readonly session: number;
  readonly step: ProgramStep;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks a program and indexes its steps by name. Names are plain identifiers, so they read the
 * same in reports, isolation specs and scripts; a bad program fails with one sentence naming it.
 */
export function resolveProgram(program: SessionProgram): ReadonlyMap<string, ResolvedStep> {
  const steps = resolveSteps(program);
  if (program.permutations.length === 0) throw new Error(`program ${program.name} has no permutations`);
  for (const permutation of program.permutations) {
    const seen = new Set<string>();
    for (const name of permutation) {
      if (!steps.has(name))
        throw new Error(`program ${program.name}: permutation ${permutation.join(' ')} names unknown step ${name}`);
      if (seen.has(name))
        throw new Error(`program ${program.name}: permutation ${permutation.join(' ')} repeats step ${name}`);
      seen.add(name);
    }
  }
  return steps;
}

/** Checks a program's sessions and steps (not its permutations) and indexes the steps by name. */
export function resolveSteps(program: SessionProgram): ReadonlyMap<string, ResolvedStep> {
  const steps = new Map<string, ResolvedStep>();
  const sessionNames = new Set<string>();
  if (program.sessions.length === 0) throw new Error(`program ${program.name} has no sessions`);
  program.sessions.forEach((session, index) => {
    if (!NAME.test(session.name))
      throw new Error(`program ${program.name}: session name ${JSON.stringify(session.name)} is not an identifier`);
    if (sessionNames.has(session.name))
      throw new Error(`program ${program.name}: session ${session.name} is defined twice`);
    sessionNames.add(session.name);
    for (const step of session.steps) {
      if (!NAME.test(step.name))
        throw new Error(`program ${program.name}: step name ${JSON.stringify(step.name)} is not an identifier`);
      if (steps.has(step.name)) throw new Error(`program ${program.name}: step ${step.name} is defined twice`);
      steps.set(step.name, { session: index, step });
    }
  });
  return steps;
}

/**
 * Every interleaving of the sessions' steps that keeps each session's own order, up to `limit`
 * of them, in lexicographic order of session indexes (what the isolation tester runs when a spec
 * lists no permutation).
 */
export function allPermutations(program: SessionProgram, limit = 10_000): string[][] {
  const result: string[][] = [];
  const positions = program.sessions.map(() => 0);
  const current: string[] = [];
  const total = program.sessions.reduce((sum, session) => sum + session.steps.length, 0);
  const visit = (): void => {
    if (result.length >= limit) return;
    if (current.length === total) {
      result.push([...current]);
      return;
    }
    program.sessions.forEach((session, index) => {
      const position = positions[index]!;
      const step = session.steps[position];
      if (step === undefined) return;
      positions[index] = position + 1;
      current.push(step.name);
      visit();
      current.pop();
      positions[index] = position;
    });
  };
  visit();
  return result;
}
