/**
 * A counterexample as a psql-ready script: a scratch schema, the world's schema and seed data,
 * the legacy data, then every step's statements in order, each step introduced by a comment,
 * every statement the model expects to fail annotated with its error, and the statement where
 * the counterexample fails marked. Errors do not stop psql by default, and the model's own
 * code went on after them too, so the script runs to the end like the scenario did.
 */
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { stopOnFor } from '../harness/checkPlan.js';
import { planInvariants } from '../harness/planFile.js';
import type { Scenario } from '../harness/scenario.js';
import { CLOCK_FUNCTION, mayRevertSettings, setClockSql } from './clock.js';
import { recordScenario } from './planDiff.js';
import type { RecordedStatement } from './recorder.js';
import { PgdrillBug } from '../harness/runScenario.js';
import { assert } from '../engine/assert.js';
import { formatSql, sqlComment } from '../engine/sqlText.js';

export const SCRIPT_SCHEMA = 'pgdrill_replay';

/** A statement as a script line: terminated by a semicolon exactly once. */
function asScriptStatement(sql: string): string {
  return sql.endsWith(';') ? sql : `${sql};`;
}

export interface ScriptStatement {
  /** `clock` sets pgdrill.clock (and, inside an aborted block, fails like anything else); `statement` is the scenario's. */
  readonly kind: 'clock' | 'statement';
  readonly sql: string;
  readonly tag: number;
  /** The error the model raised for this statement, or null when it succeeded. */
  readonly expected: { readonly code: string; readonly constraint: string | null } | null;
  readonly failing: boolean;
}

export interface SqlScript {
  readonly text: string;
  /** Statements that set up the session (schema, search_path, clock); run them first. */
  readonly preamble: readonly string[];
  /** The scenario's statements, with clock settings interleaved as their own entries. */
  readonly statements: readonly ScriptStatement[];
  readonly failingIndex: number | null;
}

export function renderScript(
  title: readonly string[],
  recorded: readonly RecordedStatement[],
  labelOf: (tag: number) => string,
  failingIndex: number | null,
): SqlScript {
  const preamble = [
    formatSql('DROP SCHEMA IF EXISTS %I CASCADE', SCRIPT_SCHEMA),
    formatSql('CREATE SCHEMA %I', SCRIPT_SCHEMA),
    formatSql('SET search_path TO %I, pg_catalog', SCRIPT_SCHEMA),
    CLOCK_FUNCTION,
  ];
  const lines = [
    ...title.map(sqlComment),
    '--',
    "-- Runs in its own schema; now() reads pgdrill's logical clock (the setting pgdrill.clock).",
    '',
    ...preamble.map(asScriptStatement),
    '',
  ];
  const statements: ScriptStatement[] = [];
  let clock: number | null = null;
  let lastTag = -1;
  let scriptFailing: number | null = null;
  for (const [index, statement] of recorded.entries()) {
    if (statement.sql === null) {
      lines.push(sqlComment(`(not renderable: ${statement.renderError ?? 'unknown'})`));
      continue;
    }
    if (statement.tag !== lastTag) {
      lines.push('', sqlComment(labelOf(statement.tag)));
      lastTag = statement.tag;
    }
    // ROLLBACK and COMMIT read no clock; setting it before them would fail in an aborted block.
    if (statement.clock !== clock && !mayRevertSettings(statement.sql)) {
      const sql = setClockSql(statement.clock);
      statements.push({ kind: 'clock', sql, tag: statement.tag, expected: null, failing: false });
      lines.push(asScriptStatement(sql));
      clock = statement.clock;
    }
    const expected =
      statement.outcome.status === 'error'
        ? { code: statement.outcome.code, constraint: statement.outcome.constraint }
        : null;
    const failing = index === failingIndex;
    if (failing) {
      scriptFailing = statements.length;
      lines.push(
        sqlComment(
          `>>> THE COUNTEREXAMPLE FAILS HERE${expected ? `: the model raised ${expected.code}${expected.constraint ? ` on ${expected.constraint}` : ''}` : ''}`,
        ),
      );
    } else if (expected) {
      lines.push(
        sqlComment(`the model expects ERROR ${expected.code}${expected.constraint ? ` (${expected.constraint})` : ''}`),
      );
    }
    lines.push(asScriptStatement(statement.sql));
    statements.push({ kind: 'statement', sql: statement.sql, tag: statement.tag, expected, failing });
    if (expected !== null || mayRevertSettings(statement.sql)) clock = null;
  }
  return { text: `${lines.join('\n')}\n`, preamble, statements, failingIndex: scriptFailing };
}

/** The SQL script of a plan's scenario, replayed with the plan's invariants, marking where it failed. */
export function scenarioScript<W extends WorldBase>(domain: Domain<W>, plan: Plan, scenario: Scenario): SqlScript {
  // Statements of a concurrent scenario's sessions interleave: one script cannot hold them.
  assert(plan.concurrency === undefined, `plan ${plan.name} runs sessions: export it with concurrentExport.ts`);
  const invariants = planInvariants(domain, plan);
  const recorded = recordScenario(domain, plan, scenario, {
    recordChanges: false,
    invariants,
    stopOn: stopOnFor(plan, invariants),
  });
  // A crash is a pgdrill bug, never a script: the statements up to it would read as "no invariant broke".
  if (recorded.bug !== null) throw new PgdrillBug(`the scenario crashed while it was rendered as SQL: ${recorded.bug}`);
  const trace = recorded.result?.trace ?? [];
  const failure = recorded.result?.failure ?? null;
  let failingIndex: number | null = null;
  if (failure !== null) {
    // The failing step's last erroring statement, or its last statement when none erred.
    const tag = failure.traceIndex + 1;
    const indices = recorded.recorded
      .map((statement, index) => ({ statement, index }))
      .filter(({ statement }) => statement.tag === tag);
    failingIndex =
      (
        [...indices].reverse().find(({ statement }) => statement.outcome.status === 'error') ??
        indices[indices.length - 1]
      )?.index ?? null;
  }
  const labelOf = (tag: number): string => {
    if (tag === 0) return "the world's schema and seed data";
    const step = trace[tag - 1];
    return step === undefined ? `step ${tag}` : `step ${tag} (${step.kind}): ${step.label}`;
  };
  const title = [
    `pgdrill counterexample for plan ${plan.name}: ${plan.description}`,
    failure === null
      ? 'no invariant broke in this scenario'
      : `breaks ${failure.violations.map((violation) => `${violation.invariant}: ${violation.message}`).join('; ')}`,
  ];
  return renderScript(title, recorded.recorded, labelOf, failingIndex);
}
