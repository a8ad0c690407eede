/**
 * Runs ported regression cases on the engine and on PostgreSQL and compares, statement by
 * statement, success or SQLSTATE, constraint name and error message; then the final contents of
 * every table and the constraints of both catalogs. A case stops at its first disagreement.
 */
import { Database } from '../../database.js';
import { isPgError } from '../../engine/errors.js';
import { contentsDifference } from '../compareContents.js';
import { describeModel, describePostgres, outcomeDifference } from '../compareOutcome.js';
import { StatementRecorder } from '../recorder.js';
import { withScenarioSchema } from '../scenarioSchema.js';
import type { SqlSession } from '../sqlSession.js';
import { constraintCatalogDifference, indexCatalogDifference, notNullColumnDifference } from './catalogDifference.js';
import type { RegressCase, RegressEntry, UnsupportedCase } from './regressCase.js';
import { isUnsupported, sourcePath } from './regressCase.js';

export interface CaseDivergence {
  readonly name: string;
  readonly source: string;
  /** Index of the first disagreeing statement, or null for the final contents or catalog. */
  readonly statement: number | null;
  readonly sql: string | null;
  readonly model: string;
  readonly postgres: string;
  readonly reason: string;
}

export interface RegressResult {
  readonly cases: number;
  readonly agree: number;
  readonly statements: number;
  readonly divergences: readonly CaseDivergence[];
  readonly unsupported: readonly UnsupportedCase[];
}

const sourceOf = (entry: RegressEntry): string => sourcePath(entry.source);

/** Runs one case on a fresh engine and then on PostgreSQL; null when they agree. */
export async function diffCase(
  session: SqlSession,
  regress: RegressCase,
): Promise<{ readonly statements: number; readonly divergence: CaseDivergence | null }> {
  const recorder = new StatementRecorder();
  const db = new Database();
  recorder.attach(db);
  for (const call of regress.statements) {
    try {
      db.execute(call);
    } catch (error) {
      if (!isPgError(error)) break;
    }
  }
  if (db.transactionStatus !== 'idle') db.rollback();
  const snapshot = db.snapshot();
  const header = { name: regress.name, source: sourceOf(regress) };
  return withScenarioSchema(session, async (schema) => {
    let statements = 0;
    for (const [index, recorded] of recorder.statements.entries()) {
      const base = { ...header, statement: index, sql: recorded.sql, model: describeModel(recorded.outcome) };
      if (recorded.sql === null)
        return {
          statements,
          divergence: { ...base, postgres: '(not run)', reason: `cannot render: ${recorded.renderError ?? 'unknown'}` },
        };
      if (recorded.outcome.status === 'internal')
        return { statements, divergence: { ...base, postgres: '(not run)', reason: 'the engine failed internally' } };
      const result = await session.run(recorded.sql);
      statements++;
      let reason = outcomeDifference(recorded.statement, recorded.outcome, result);
      if (
        reason === null &&
        recorded.outcome.status === 'error' &&
        !result.ok &&
        recorded.outcome.message !== result.message
      ) {
        reason = 'the error messages differ';
      }
      if (reason !== null)
        return { statements, divergence: { ...base, postgres: describePostgres(result, recorded.statement), reason } };
    }
    const final = { ...header, statement: null, sql: null, model: 'final state', postgres: 'final state' };
    const contents = await contentsDifference(snapshot, session, schema);
    if (contents !== null) return { statements, divergence: { ...final, reason: contents } };
    const catalog = await constraintCatalogDifference(db, session, schema);
    if (catalog !== null) return { statements, divergence: { ...final, reason: catalog } };
    const indexes = await indexCatalogDifference(db, session, schema);
    if (indexes !== null) return { statements, divergence: { ...final, reason: indexes } };
    const notNull = await notNullColumnDifference(db, session, schema);
    if (notNull !== null) return { statements, divergence: { ...final, reason: notNull } };
    return { statements, divergence: null };
  });
}

export async function runRegress(session: SqlSession, entries: readonly RegressEntry[]): Promise<RegressResult> {
  const divergences: CaseDivergence[] = [];
  const unsupportedCases: UnsupportedCase[] = [];
  let cases = 0;
  let statements = 0;
  for (const entry of entries) {
    if (isUnsupported(entry)) {
      unsupportedCases.push(entry);
      continue;
    }
    cases++;
    const outcome = await diffCase(session, entry);
    statements += outcome.statements;
    if (outcome.divergence !== null) divergences.push(outcome.divergence);
  }
  return { cases, agree: cases - divergences.length, statements, divergences, unsupported: unsupportedCases };
}
