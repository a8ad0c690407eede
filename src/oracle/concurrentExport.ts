/**
 * A concurrent scenario (a plan with `concurrency`) as a multi-session program that reproduces it
 * on a real PostgreSQL server, in the isolation tester's shape (`server/program.ts`):
 *
 * - the serial prefix (the world's schema and seed data, legacy data, and the steps before the
 *   first session statement) is the program's setup, as the psql export renders it; from the
 *   first statement that failed on, the world's own statements are steps of a session `serial`;
 * - each session's statements, as the engine ran them, are the steps of a session `s1`, `s2`, …,
 *   one statement per step, issued in the engine's order (the permutation). A step that waited on
 *   the engine is issued once: the server's session stays blocked in it until it is released;
 * - the broken invariant's check query (`Invariant.checkSql`), run once the schedule has ended; an
 *   invariant without one that a statement's error broke (an API 500) is checked by that step's
 *   SQLSTATE instead.
 *
 * `now()` reads pgdrill's logical clock in every session (`clock.ts`): each session's setup puts
 * the scratch schema before pg_catalog on its search_path, and a step whose clock differs from
 * the session's last setting sets it first, in the same query. Timers (lock_timeout, deadlock
 * checks) run on the server's own clock.
 *
 * The program exports as an isolation-tester spec (`isolationSpec`, with the check as a last step
 * of a session `check`) and as a Node script over `pg` (`nodeScript`), which also holds every step
 * to the engine's outcome and says whether the invariant broke.
 */
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { stopOnFor } from '../harness/checkPlan.js';
import { planInvariants } from '../harness/planFile.js';
import { PgdrillBug } from '../harness/runScenario.js';
import type { Scenario } from '../harness/scenario.js';
import { CLOCK_FUNCTION, mayRevertSettings, setClockSql } from './clock.js';
import { recordScenario } from './planDiff.js';
import { isolationSpec } from './server/isolationSpec.js';
import { nodeScript } from './server/nodeScript.js';
import type { ExpectedStep, InvariantCheck } from './server/nodeScript.js';
import type { ProgramSession, ProgramStep, SessionProgram } from './server/program.js';

/** The world's own statements after the prefix run in a session of this name. */
export const SERIAL_SESSION = 'serial';
const CHECK_SESSION = 'check';
const CHECK_STEP = 'check_invariant';

/**
 * Puts the schema the exporter made current (the spec's, the script's, the driver's) before
 * pg_catalog, so the `now()` of CLOCK_FUNCTION is found before PostgreSQL's own.
 */
export const CLOCK_SEARCH_PATH =
  "SELECT set_config('search_path', quote_ident(current_schema()) || ', pg_catalog', false)";

export interface ConcurrentExport {
  /** The setup, the sessions' steps and one permutation: the engine's order. */
  readonly program: SessionProgram;
  /** What the engine saw for each step, in permutation order. */
  readonly expected: readonly ExpectedStep[];
  /** The broken invariant's check query, or null when the run broke none or it has no query. */
  readonly check: InvariantCheck | null;
  /** The violation, as the engine reported it (null when the scenario broke nothing). */
  readonly failure: string | null;
}

/** Statements that read no clock; setting it first would change transaction control's meaning. */
const READS_NO_CLOCK = /^(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|SET|RESET|LOCK)\b/i;

/** Builds one session's steps, prefixing the clock setting where `now()` would read a stale value. */
class SessionSteps {
  readonly steps: ProgramStep[] = [];
  private clock: number | null = null;

  constructor(readonly name: string) {}

  add(sql: string, clock: number): string {
    const name = `${this.name}_${this.steps.length + 1}`;
    let text = sql;
    if (this.clock !== clock && !READS_NO_CLOCK.test(sql)) {
      text = `${setClockSql(clock)}; ${sql}`;
      this.clock = clock;
    }
    this.steps.push({ name, sql: text });
    return name;
  }

  /** After an error or a transaction end, the setting may have been rolled back. */
  settingMayBeLost(sql: string, failed: boolean): void {
    if (failed || mayRevertSettings(sql)) this.clock = null;
  }
}

function renderedOrThrow(sql: string | null, renderError: string | null, what: string): string {
  if (sql === null)
    throw new Error(`the counterexample cannot be exported: ${what} has no SQL form (${renderError ?? 'unknown'})`);
  return sql;
}

export function concurrentScenarioExport<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
): ConcurrentExport {
  const invariants = planInvariants(domain, plan);
  const recorded = recordScenario(domain, plan, scenario, {
    recordChanges: false,
    invariants,
    stopOn: stopOnFor(plan, invariants),
  });
  if (recorded.bug !== null) throw new PgdrillBug(`the scenario crashed while it was exported: ${recorded.bug}`);
  const setup: string[] = [CLOCK_SEARCH_PATH, CLOCK_FUNCTION];
  let setupClock: number | null = null;
  let inSetup = true;
  const serial = new SessionSteps(SERIAL_SESSION);
  const sessions = new Map<number, SessionSteps>();
  const permutation: string[] = [];
  const expected: ExpectedStep[] = [];
  /** Per session, the index in `expected` of its step in flight (issued, not completed). */
  const inFlight = new Map<number, number>();
  const sessionName = (session: number): string => `s${session}`;

  for (const entry of recorded.timeline) {
    if (entry.source === 'serial') {
      const statement = entry.statement;
      const sql = renderedOrThrow(statement.sql, statement.renderError, 'a statement of the serial steps');
      const failed = statement.outcome.status !== 'ok';
      if (inSetup && !failed) {
        if (statement.clock !== setupClock && !READS_NO_CLOCK.test(sql)) {
          setup.push(setClockSql(statement.clock));
          setupClock = statement.clock;
        }
        setup.push(sql);
        if (mayRevertSettings(sql)) setupClock = null;
        continue;
      }
      inSetup = false;
      const name = serial.add(sql, statement.clock);
      serial.settingMayBeLost(sql, failed);
      permutation.push(name);
      expected.push({
        step: name,
        waitedFor: null,
        error: statement.outcome.status === 'error' ? statement.outcome.code : null,
        completed: true,
      });
      continue;
    }
    inSetup = false;
    const event = entry.event;
    let steps = sessions.get(event.session);
    if (steps === undefined) {
      steps = new SessionSteps(sessionName(event.session));
      sessions.set(event.session, steps);
    }
    let index: number;
    if (event.resumed) {
      const open = inFlight.get(event.session);
      if (open === undefined) throw new PgdrillBug(`session ${event.session} resumed a statement it never issued`);
      index = open;
    } else {
      const sql = renderedOrThrow(event.sql, event.renderError, `a statement of session ${event.session}`);
      const name = steps.add(sql, event.clock);
      permutation.push(name);
      index = expected.length;
      expected.push({
        step: name,
        waitedFor: event.wait === null ? null : event.wait.blockedBy.map(sessionName),
        error: null,
        completed: false,
      });
      inFlight.set(event.session, index);
    }
    if (event.outcome !== null) {
      inFlight.delete(event.session);
      const failed = !event.outcome.ok;
      expected[index] = { ...expected[index]!, error: event.outcome.ok ? null : event.outcome.code, completed: true };
      const step = steps.steps.find((candidate) => candidate.name === expected[index]!.step)!;
      steps.settingMayBeLost(step.sql, failed);
    }
  }

  const programSessions: ProgramSession[] = [...sessions.entries()]
    .sort(([left], [right]) => left - right)
    .map(([, steps]) => ({ name: steps.name, setup: [CLOCK_SEARCH_PATH], steps: steps.steps }));
  if (serial.steps.length > 0)
    programSessions.push({ name: SERIAL_SESSION, setup: [CLOCK_SEARCH_PATH], steps: serial.steps });
  const failure = recorded.result?.failure ?? null;
  const violation = failure?.violations[0] ?? null;
  const invariant = violation === null ? undefined : domain.invariants.find((each) => each.id === violation.invariant);
  const checkSql = invariant?.checkSql?.(recorded.result!.world) ?? null;
  const failureText = violation === null ? null : `${violation.invariant}: ${violation.message}`;
  const program: SessionProgram = {
    name: plan.name,
    description:
      failureText === null
        ? `a scenario of plan ${plan.name} in which no invariant broke`
        : `counterexample of plan ${plan.name}, breaking ${failureText}`,
    setup,
    sessions: programSessions,
    permutations: [permutation],
  };
  return {
    program,
    expected,
    check: invariantCheck(violation?.invariant ?? null, checkSql, expected),
    failure: failureText,
  };
}

/**
 * The broken invariant as the server can show it: its check query, or else the last step that
 * failed on the engine (the statement whose error broke it: an API request's 500, a migration
 * step's failure), with its SQLSTATE; null when nothing broke or neither exists.
 */
function invariantCheck(
  invariant: string | null,
  checkSql: string | null,
  expected: readonly ExpectedStep[],
): InvariantCheck | null {
  if (invariant === null) return null;
  if (checkSql !== null) return { invariant, sql: checkSql };
  const failed = [...expected].reverse().find((step) => step.completed && step.error !== null);
  return failed === undefined || failed.error === null
    ? null
    : { invariant, failedStep: failed.step, error: failed.error };
}

/**
 * The export as an isolation-tester spec: the check query, when there is one, runs as the last
 * step, in a session of its own (it sees the committed state, as the invariant did).
 */
export function concurrentSpec(exported: ConcurrentExport): string {
  const { program, check } = exported;
  if (check === null) return isolationSpec(program);
  if (!('sql' in check))
    return isolationSpec({
      ...program,
      description: `${program.description}. Step ${check.failedStep} fails with SQLSTATE ${check.error}: that failure is the break`,
    });
  const permutation = [...program.permutations[0]!, CHECK_STEP];
  return isolationSpec({
    ...program,
    description: `${program.description}. The last step lists the rows that break ${check.invariant}: any row means it reproduced`,
    sessions: [...program.sessions, { name: CHECK_SESSION, steps: [{ name: CHECK_STEP, sql: check.sql }] }],
    permutations: [permutation],
  });
}

/** The export as a standalone Node script that checks every step and the invariant (`nodeScript.ts`). */
export function concurrentNodeScript(exported: ConcurrentExport): string {
  return nodeScript(exported.program, exported.program.permutations[0]!, {
    expected: exported.expected,
    check: exported.check,
  });
}
