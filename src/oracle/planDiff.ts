/**
 * Scenarios of a modelled world (GitLab's runners) run on the engine with every top-level
 * statement recorded as SQL, tagged with the trace step that ran it (0 for the world's own
 * schema and seed data). The domain's `createWorld` builds the world on a database created here
 * with the recorder as its listener, so the world's own schema statements are recorded too.
 */
import { UserInputError } from '../harness/userInputError.js';
import { Database } from '../database.js';
import { assert } from '../engine/assert.js';
import type { DatabaseSnapshot } from '../database.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { PgdrillBug, runScenario } from '../harness/runScenario.js';
import type { RunOptions, RunResult } from '../harness/runScenario.js';
import { scenarioArbitrary } from '../harness/scenario.js';
import type { Scenario } from '../harness/scenario.js';
import type { CampaignOptions, CampaignResult } from './diffCampaign.js';
import { runCampaign } from './diffCampaign.js';
import type { DiffOutcome } from './differential.js';
import { diffRecorded } from './differential.js';
import { StatementRecorder } from './recorder.js';
import type { RecordedStatement } from './recorder.js';
import type { SqlSession } from './sqlSession.js';
import type { SessionStatementEvent } from '../harness/concurrentSessions.js';

/**
 * Everything a scenario ran, in order: statements of the world's own session (the serial ones,
 * also in `recorded`) and statements of a concurrent scenario's sessions, each event of which is
 * an issue, a wait, a resumption or a completion.
 */
export type TimelineEntry =
  | { readonly source: 'serial'; readonly statement: RecordedStatement }
  | { readonly source: 'session'; readonly event: SessionStatementEvent; readonly tag: number };

export interface RecordedScenario<W extends WorldBase> {
  /** The statements of the world's own session (all of them, for a scenario without concurrency). */
  readonly recorded: readonly RecordedStatement[];
  readonly timeline: readonly TimelineEntry[];
  readonly snapshot: DatabaseSnapshot;
  readonly result: RunResult<W> | null;
  /** Set when the engine failed internally (a pgdrill bug), which is itself a divergence. */
  readonly bug: string | null;
}

export function recordScenario<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
  options: RunOptions,
): RecordedScenario<W> {
  const recorder = new StatementRecorder();
  const timeline: TimelineEntry[] = [];
  let world: W | null = null;
  const listener = recorder.listener;
  // Statements of concurrent sessions do not pass the database's listener: the scenario reports them.
  const onSessionStatement = (event: SessionStatementEvent): void => {
    timeline.push({ source: 'session', event, tag: world === null ? 0 : world.currentStep });
  };
  const tagged: Domain<W> = {
    ...domain,
    createWorld: (settings) => {
      const db = new Database({
        onStatement: (event) => {
          recorder.tag = world === null ? 0 : world.currentStep;
          listener(event);
          timeline.push({ source: 'serial', statement: recorder.statements[recorder.statements.length - 1]! });
        },
      });
      const created = domain.createWorld(settings, db);
      assert(
        created.db === db,
        `the ${domain.name} domain built its world on a database of its own, which cannot be recorded`,
      );
      world = created;
      return created;
    },
  };
  try {
    const result = runScenario(tagged, plan, scenario, { ...options, onSessionStatement });
    return { recorded: recorder.statements, timeline, snapshot: result.world.db.snapshot(), result, bug: null };
  } catch (error) {
    if (!(error instanceof PgdrillBug)) throw error;
    return { recorded: recorder.statements, timeline, snapshot: new Map(), result: null, bug: error.message };
  }
}

/** PGlite is one connection: a plan whose requests run in sessions cannot be compared statement by statement. */
function refuseConcurrent(plan: Plan): void {
  if (plan.concurrency !== undefined)
    throw new UserInputError(
      `plan ${plan.name} runs requests concurrently, which a single-connection comparison cannot judge: export its counterexamples with replay --sql (isolation spec) or --node (script) and run them on a real server`,
    );
}

export async function diffScenario<W extends WorldBase>(
  session: SqlSession,
  domain: Domain<W>,
  plan: Plan,
  scenario: Scenario,
): Promise<DiffOutcome> {
  refuseConcurrent(plan);
  // No invariants: the differential compares the engine with PostgreSQL, not the plan's verdict.
  const recorded = recordScenario(domain, plan, scenario, { recordChanges: false, invariants: [] });
  if (recorded.bug !== null) {
    return {
      statements: 0,
      outcomes: {},
      kinds: {},
      kindOutcomes: {},
      divergence: {
        statement: null,
        tag: null,
        sql: null,
        model: `internal engine error: ${recorded.bug}`,
        postgres: '(not run)',
        reason: 'the engine failed internally',
      },
    };
  }
  return diffRecorded(session, recorded.recorded, recorded.snapshot);
}

export function planCampaign<W extends WorldBase>(
  session: SqlSession,
  domain: Domain<W>,
  plan: Plan,
  options: CampaignOptions,
): Promise<CampaignResult<Scenario>> {
  refuseConcurrent(plan);
  return runCampaign(
    scenarioArbitrary(domain, plan),
    (scenario) => diffScenario(session, domain, plan, scenario),
    options,
  );
}
