import fc from 'fast-check';
import type { DiffOutcome, Divergence } from './differential.js';
import { diffRecorded } from './differential.js';
import type { Program } from './randomProgram.js';
import { programArbitrary } from './randomProgram.js';
import { runProgramOnEngine } from './runProgram.js';
import type { SqlSession } from './sqlSession.js';

/**
 * The differential property over random schemas: for every generated program, the engine and
 * PostgreSQL agree on every statement's outcome and on the final contents. A divergence fails
 * the property, and fast-check shrinks the program like any other counterexample.
 */
export interface CampaignOptions {
  readonly runs: number;
  readonly seed: number;
  readonly maxOps?: number;
}

export interface FoundDivergence<S> {
  readonly seed: number;
  readonly path: string;
  /** The shrunk scenario (a program, or a plan scenario). */
  readonly scenario: S;
  readonly divergence: Divergence;
}

export interface CampaignResult<S> {
  readonly runs: number;
  /** Statements run on PostgreSQL over the campaign's runs (shrinking excluded). */
  readonly statements: number;
  /** Engine outcomes of the statements run while searching (`ok` or SQLSTATE → count). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Statements run while searching, by kind (coverage: which statements the campaign exercised). */
  readonly kinds: Readonly<Record<string, number>>;
  /** Engine outcomes per statement kind (`insertSelect` → `ok`, `23505`, … → count). */
  readonly kindOutcomes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly elapsedMs: number;
  readonly divergence: FoundDivergence<S> | null;
}

export class DivergenceFound extends Error {
  override readonly name = 'DivergenceFound';
  constructor(readonly divergence: Divergence) {
    super(
      `${divergence.reason} — statement ${divergence.statement ?? 'end'}: ${divergence.sql ?? ''}\n  model:      ${divergence.model}\n  PostgreSQL: ${divergence.postgres}`,
    );
  }
}

/** Runs an async differential check over `arbitrary` with fast-check, shrinking any divergence. */
export async function runCampaign<S>(
  arbitrary: fc.Arbitrary<S>,
  check: (scenario: S) => Promise<DiffOutcome>,
  options: CampaignOptions,
): Promise<CampaignResult<S>> {
  const started = Date.now();
  let statements = 0;
  let shrinking = false;
  const outcomes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const kindOutcomes: Record<string, Record<string, number>> = {};
  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    const outcome = await check(scenario);
    if (!shrinking) {
      statements += outcome.statements;
      for (const [key, count] of Object.entries(outcome.outcomes)) outcomes[key] = (outcomes[key] ?? 0) + count;
      for (const [key, count] of Object.entries(outcome.kinds)) kinds[key] = (kinds[key] ?? 0) + count;
      for (const [kind, byOutcome] of Object.entries(outcome.kindOutcomes)) {
        const into = kindOutcomes[kind] ?? {};
        for (const [key, count] of Object.entries(byOutcome)) into[key] = (into[key] ?? 0) + count;
        kindOutcomes[kind] = into;
      }
    }
    if (outcome.divergence !== null) {
      shrinking = true;
      throw new DivergenceFound(outcome.divergence);
    }
  });
  const details = await fc.check(property, { numRuns: options.runs, seed: options.seed, endOnFailure: false });
  const elapsedMs = Date.now() - started;
  if (!details.failed)
    return { runs: details.numRuns, statements, outcomes, kinds, kindOutcomes, elapsedMs, divergence: null };
  const scenario = details.counterexample?.[0];
  const error = details.errorInstance;
  if (scenario === undefined || !(error instanceof DivergenceFound))
    throw error instanceof Error ? error : new Error(`differential run failed: ${String(error)}`);
  return {
    runs: details.numRuns,
    statements,
    outcomes,
    kinds,
    kindOutcomes,
    elapsedMs,
    divergence: { seed: options.seed, path: details.counterexamplePath ?? '', scenario, divergence: error.divergence },
  };
}

export function diffProgram(session: SqlSession, program: Program): Promise<DiffOutcome> {
  const run = runProgramOnEngine(program);
  return diffRecorded(session, run.recorded, run.snapshot);
}

export function randomSchemaCampaign(session: SqlSession, options: CampaignOptions): Promise<CampaignResult<Program>> {
  return runCampaign(programArbitrary(options.maxOps), (program) => diffProgram(session, program), options);
}
