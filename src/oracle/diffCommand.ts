import { freshSeed } from '../cli/seeds.js';
import type { CliIo } from '../cli/runCli.js';
import { documentText } from '../cli/terminal.js';
import { escapeControlCharacters } from '../harness/terminalText.js';
import type { Domain, Plan, WorldBase } from '../harness/domain.js';
import { stableStringify } from '../harness/json.js';
import type { JsonValue } from '../harness/json.js';
import type { Scenario } from '../harness/scenario.js';
import type { CampaignResult, FoundDivergence } from './diffCampaign.js';
import { randomSchemaCampaign } from './diffCampaign.js';
import { planCampaign, recordScenario } from './planDiff.js';
import type { Program } from './randomProgram.js';
import { runProgramOnEngine } from './runProgram.js';
import { openOracleSession } from './pgClientSession.js';
import { renderScript } from './sqlScript.js';

/**
 * `pgdrill diff`: a differential campaign against real PostgreSQL (embedded PGlite, or the
 * server at DATABASE_URL). Random schemas by default; with a plan, that plan's scenarios.
 * Prints `{runs, statements, divergences}` and exits 1 on any divergence.
 */
export interface DiffCommand {
  readonly runs: number | null;
  readonly seed: number | null;
  readonly json: boolean;
}

const DEFAULT_RANDOM_RUNS = 300;
const DEFAULT_PLAN_RUNS = 50;

function divergenceJson<S>(found: FoundDivergence<S>, script: string): JsonValue {
  const { divergence } = found;
  return {
    seed: found.seed,
    path: found.path,
    statement: divergence.statement,
    step: divergence.tag,
    sql: divergence.sql,
    model: divergence.model,
    postgres: divergence.postgres,
    reason: divergence.reason,
    script,
  };
}

function programScript(program: Program, found: FoundDivergence<Program>): string {
  const run = runProgramOnEngine(program);
  return renderScript(
    ['pgdrill diff: a random schema on which the engine and PostgreSQL disagree', found.divergence.reason],
    run.recorded,
    (tag) => `operation ${tag}`,
    found.divergence.statement,
  ).text;
}

function planScript<W extends WorldBase>(domain: Domain<W>, plan: Plan, found: FoundDivergence<Scenario>): string {
  const recorded = recordScenario(domain, plan, found.scenario, { recordChanges: false, invariants: [] });
  return renderScript(
    [
      `pgdrill diff: a scenario of plan ${plan.name} on which the engine and PostgreSQL disagree`,
      found.divergence.reason,
    ],
    recorded.recorded,
    (tag) => (tag === 0 ? "the world's schema and seed data" : `step ${tag}`),
    found.divergence.statement,
  ).text;
}

export async function runDiff<W extends WorldBase>(
  domain: Domain<W>,
  plan: Plan | null,
  command: DiffCommand,
  io: CliIo,
): Promise<number> {
  const seed = command.seed ?? freshSeed();
  const runs = command.runs ?? (plan === null ? DEFAULT_RANDOM_RUNS : DEFAULT_PLAN_RUNS);
  const session = await openOracleSession();
  let summary: { readonly result: CampaignResult<unknown>; readonly divergences: JsonValue[] };
  try {
    if (plan === null) {
      const result = await randomSchemaCampaign(session, { runs, seed });
      summary = {
        result,
        divergences:
          result.divergence === null
            ? []
            : [divergenceJson(result.divergence, programScript(result.divergence.scenario, result.divergence))],
      };
    } else {
      const result = await planCampaign(session, domain, plan, { runs, seed });
      summary = {
        result,
        divergences:
          result.divergence === null
            ? []
            : [divergenceJson(result.divergence, planScript(domain, plan, result.divergence))],
      };
    }
  } finally {
    await session.close();
  }
  const { result, divergences } = summary;
  if (command.json) {
    io.stdout.write(
      `${stableStringify({ runs: result.runs, statements: result.statements, outcomes: { ...result.outcomes }, statementKinds: { ...result.kinds }, statementOutcomes: { ...result.kindOutcomes }, seed, postgres: session.description, target: plan === null ? 'random schemas' : plan.name, elapsedMs: result.elapsedMs, divergences }, 2)}\n`,
    );
  } else {
    io.stdout.write(
      `pgdrill diff: ${plan === null ? 'random schemas' : `plan ${plan.name}`} against ${session.description}, seed ${seed}\n`,
    );
    io.stdout.write(
      `${result.runs} runs, ${result.statements} statements in ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
    );
    const found = result.divergence;
    if (found === null)
      io.stdout.write('no divergence: the engine and PostgreSQL agreed on every statement and every table\n');
    else {
      const d = found.divergence;
      // The divergence names tables and values from the plan: untrusted text, escaped for the terminal.
      const statement = d.sql === null ? '(final contents)' : d.sql.split('\n').map(escapeControlCharacters).join('\n');
      io.stdout.write(
        `DIVERGENCE: ${escapeControlCharacters(d.reason)}\n  statement: ${statement}\n  model:      ${escapeControlCharacters(d.model)}\n  PostgreSQL: ${escapeControlCharacters(d.postgres)}\n\nshrunk scenario as SQL:\n\n`,
      );
      const first = divergences[0] as { readonly script: string };
      io.stdout.write(documentText(io.stdout, first.script));
    }
  }
  return divergences.length === 0 ? 0 : 1;
}
