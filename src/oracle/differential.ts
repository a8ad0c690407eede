/** The differential verdict of one recorded scenario: the engine's outcomes against PostgreSQL's. */
import type { DatabaseSnapshot } from '../database.js';
import type { Statement } from '../engine/statements/registry.js';
import { contentsDifference } from './compareContents.js';
import { describeModel, describePostgres, outcomeDifference } from './compareOutcome.js';
import type { RecordedStatement } from './recorder.js';
import { mayRevertSettings, setClockSql } from './clock.js';
import { withScenarioSchema } from './scenarioSchema.js';
import { batchEnd } from './statementBatches.js';
import type { SqlResult, SqlSession } from './sqlSession.js';

/** Where the engine and PostgreSQL first disagreed in one scenario. */
export interface Divergence {
  /** Index of the statement in the recorded list, or null for a difference in the final contents. */
  readonly statement: number | null;
  /** The caller's tag of that statement (the scenario step), or null. */
  readonly tag: number | null;
  readonly sql: string | null;
  readonly model: string;
  readonly postgres: string;
  readonly reason: string;
}

export interface DiffOutcome {
  /** Statements run on PostgreSQL before the verdict. */
  readonly statements: number;
  readonly divergence: Divergence | null;
  /** How the statements ended on the engine: `ok`, or the SQLSTATE, with counts (coverage, not verdict). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Which statements ran, by kind (`insert`, `truncate`, `addConstraint`, …), with counts (coverage). */
  readonly kinds: Readonly<Record<string, number>>;
  /** The engine outcomes of each kind (`insertSelect` → `ok`, `23505`, … → count). */
  readonly kindOutcomes: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * A statement's kind in the statistics: `updateFrom` for an UPDATE with a FROM item, `addNotNull`
 * for ADD … NOT NULL, `validateNotNull` / `dropNotNullConstraint` for VALIDATE / DROP CONSTRAINT of
 * a not-null constraint's name (the generator gives those only `nn_x0` and `…_not_null`), else its kind.
 */
export function statisticsKind(statement: Statement): string {
  const notNullName = (name: string): boolean => name === 'nn_x0' || name.endsWith('_not_null');
  switch (statement.kind) {
    case 'update':
      return statement.from !== undefined ? 'updateFrom' : statement.kind;
    case 'addConstraint':
      return statement.constraint.kind === 'notNull' ? 'addNotNull' : statement.kind;
    case 'validateConstraint':
      return notNullName(statement.name) ? 'validateNotNull' : statement.kind;
    case 'dropConstraint':
      return notNullName(statement.name) ? 'dropNotNullConstraint' : statement.kind;
    default:
      return statement.kind;
  }
}

/** The result of a schema statement that ran in a batch that succeeded: it has nothing else to compare. */
const SUCCEEDED: SqlResult = { ok: true, rows: [], affectedRows: 0 };

/**
 * Replays recorded statements on PostgreSQL in a fresh schema, comparing each outcome with the
 * engine's, then compares the final contents of every table with the engine's snapshot.
 */
export async function diffRecorded(
  session: SqlSession,
  recorded: readonly RecordedStatement[],
  snapshot: DatabaseSnapshot,
): Promise<DiffOutcome> {
  return withScenarioSchema(session, async (schema) => {
    let statements = 0;
    let clock: number | null = null;
    const outcomes: Record<string, number> = {};
    const kinds: Record<string, number> = {};
    const kindOutcomes: Record<string, Record<string, number>> = {};
    // Statements before `ranUntil` already ran in a batch that succeeded (statementBatches.ts);
    // those before `singlyUntil` were in a batch PostgreSQL refused, and run one by one.
    let ranUntil = 0;
    let singlyUntil = 0;
    let inTransactionBlock = false;
    for (const [index, statement] of recorded.entries()) {
      const base = {
        statement: index,
        tag: statement.tag,
        sql: statement.sql,
        model: describeModel(statement.outcome),
      };
      if (statement.sql === null)
        return {
          statements,
          outcomes,
          kinds,
          kindOutcomes,
          divergence: {
            ...base,
            postgres: '(not run)',
            reason: `cannot render: ${statement.renderError ?? 'unknown'}`,
          },
        };
      if (statement.outcome.status === 'internal')
        return {
          statements,
          outcomes,
          kinds,
          kindOutcomes,
          divergence: { ...base, postgres: '(not run)', reason: 'the engine failed internally' },
        };
      const outcomeKey = statement.outcome.status === 'error' ? statement.outcome.code : 'ok';
      outcomes[outcomeKey] = (outcomes[outcomeKey] ?? 0) + 1;
      const kind = statisticsKind(statement.statement);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      const ofKind = kindOutcomes[kind] ?? {};
      ofKind[outcomeKey] = (ofKind[outcomeKey] ?? 0) + 1;
      kindOutcomes[kind] = ofKind;
      if (statement.clock !== clock && !mayRevertSettings(statement.sql))
        clock = (await session.run(setClockSql(statement.clock))).ok ? statement.clock : null;
      if (session.runAll !== undefined && index >= ranUntil && index >= singlyUntil) {
        const end = batchEnd(recorded, index, clock, inTransactionBlock);
        if (end - index > 1) {
          const batch = recorded.slice(index, end).map((each) => each.sql!);
          if (await session.runAll(batch)) ranUntil = end;
          else singlyUntil = end;
        }
      }
      const result = index < ranUntil ? SUCCEEDED : await session.run(statement.sql);
      statements++;
      if (statement.statement.kind === 'begin') inTransactionBlock = true;
      if (statement.statement.kind === 'commit' || statement.statement.kind === 'rollback') inTransactionBlock = false;
      if (!result.ok || mayRevertSettings(statement.sql)) clock = null;
      const reason = outcomeDifference(statement.statement, statement.outcome, result);
      if (reason !== null)
        return {
          statements,
          outcomes,
          kinds,
          kindOutcomes,
          divergence: { ...base, postgres: describePostgres(result, statement.statement), reason },
        };
    }
    const difference = await contentsDifference(snapshot, session, schema);
    if (difference !== null)
      return {
        statements,
        outcomes,
        kinds,
        kindOutcomes,
        divergence: {
          statement: null,
          tag: null,
          sql: null,
          model: 'final contents',
          postgres: 'final contents',
          reason: difference,
        },
      };
    return { statements, outcomes, kinds, kindOutcomes, divergence: null };
  });
}
