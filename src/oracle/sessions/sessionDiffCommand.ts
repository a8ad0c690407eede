/**
 * `pgdrill diff --sessions N [--runs R] [--seed S] [--against engine|server] [--json]`: the
 * multi-session differential campaign. The real server (embedded PostgreSQL 18, started once for
 * the command and always stopped, or `DATABASE_URL`) runs each random program's schedule; the
 * candidate replays it: the engine's sessions (the default), or with `--against server` the server
 * again, which checks that the driver and the schedules are deterministic. Exits 1 on any divergence.
 *
 * Everything printed from a program (step names are generated, but table contents and SQLSTATE
 * messages come from the run) is escaped for the terminal; the exported spec is a document.
 */
import type { CliIo } from '../../cli/runCli.js';
import { freshSeed } from '../../cli/seeds.js';
import { documentText } from '../../cli/terminal.js';
import type { JsonValue } from '../../harness/json.js';
import { stableStringify } from '../../harness/json.js';
import { escapeControlCharacters } from '../../harness/terminalText.js';
import { UserInputError } from '../../harness/userInputError.js';
import { startServer } from '../server/embeddedServer.js';
import { openPgSessionBackend } from '../server/pgSessionBackend.js';
import type { SessionBackend } from '../server/sessionBackend.js';
import { ENGINE_SESSIONS, SERVER_FEATURES, engineAvailability } from './sessionBackends.js';
import type { CandidateKind } from './sessionBackends.js';
import { runSessionCampaign } from './sessionCampaign.js';
import type { SessionCampaignResult, SessionDivergence } from './sessionCampaign.js';

export interface SessionDiffCommand {
  readonly sessions: number;
  readonly runs: number | null;
  readonly seed: number | null;
  readonly json: boolean;
  readonly against: CandidateKind | null;
}

const DEFAULT_RUNS = 100;

function divergenceJson(divergence: SessionDivergence): JsonValue {
  return {
    run: divergence.run,
    program: divergence.program,
    permutation: [...divergence.permutation],
    step: divergence.difference.step,
    what: divergence.difference.what,
    server: divergence.difference.left,
    candidate: divergence.difference.right,
    spec: divergence.spec,
    script: divergence.script,
  };
}

export async function runSessionDiff(command: SessionDiffCommand, io: CliIo): Promise<number> {
  const against = command.against ?? (ENGINE_SESSIONS === null ? 'server' : 'engine');
  if (against === 'engine' && ENGINE_SESSIONS === null)
    throw new UserInputError(
      '--against engine: engine sessions are not yet available for random programs; --against server compares the server with itself',
    );
  const seed = command.seed ?? freshSeed();
  const runs = command.runs ?? DEFAULT_RUNS;
  const engine = against === 'engine' ? ENGINE_SESSIONS : null;
  const features = engine === null ? SERVER_FEATURES : new Set(engine.features);
  const server = await startServer();
  let description = '';
  let result: SessionCampaignResult;
  try {
    const reference = await openPgSessionBackend({ connectionString: server.connectionString });
    let candidate: SessionBackend | null = null;
    try {
      description = `${reference.description}${server.embedded ? ' (embedded)' : ''}`;
      candidate =
        engine === null
          ? await openPgSessionBackend({ connectionString: server.connectionString })
          : await engine.open();
      const progress = !command.json && io.stderr.isTTY === true;
      result = await runSessionCampaign(reference, candidate, {
        runs,
        sessions: command.sessions,
        seed,
        features,
        onRun: progress ? (run) => io.stderr.write(`\r  run ${run + 1}/${runs}`) : undefined,
      });
      if (progress) io.stderr.write('\r\x1b[K');
    } finally {
      await candidate?.close();
      await reference.close();
    }
  } finally {
    await server.stop();
  }
  const seconds = result.elapsedMs / 1000;
  const rate = Math.round((result.permutations / Math.max(seconds, 0.001)) * 10) / 10;
  if (command.json) {
    io.stdout.write(
      `${stableStringify(
        {
          runs: result.runs,
          sessions: result.sessions,
          permutations: result.permutations,
          blockedSteps: result.blockedSteps,
          waits: { ...result.waits },
          outcomes: { ...result.outcomes },
          divergences: result.divergences.map(divergenceJson),
          server: description,
          against,
          engine: ENGINE_SESSIONS === null ? 'not yet available' : 'available',
          seed,
          racySchedules: [...result.racySchedules],
          timingRetries: result.timingRetries,
          timingFailures: result.timingFailures,
          timingFailure: result.timingFailure,
          elapsedMs: result.elapsedMs,
          permutationsPerSecond: rate,
        },
        2,
      )}\n`,
    );
    return result.divergences.length === 0 ? 0 : 1;
  }
  const write = (line: string): void => {
    io.stdout.write(`${escapeControlCharacters(line)}\n`);
  };
  write(`pgdrill diff --sessions ${result.sessions}: random multi-session programs on ${description}, seed ${seed}`);
  write(engineAvailability(against));
  write(
    `${result.runs} runs, ${result.permutations} schedules compared, ${result.blockedSteps} steps blocked, ` +
      `in ${seconds.toFixed(1)} s (${rate} schedules/s per backend pair)`,
  );
  const outcomes = Object.entries(result.outcomes)
    .sort(([a], [b]) => (a === 'ok' ? -1 : b === 'ok' ? 1 : a < b ? -1 : 1))
    .map(([label, count]) => `${label} ${count}`);
  write(`outcomes: ${outcomes.join(', ')}`);
  write(
    `waits: ${Object.entries(result.waits)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
  );
  if (result.timingRetries + result.timingFailures > 0)
    write(
      `timing: ${result.timingRetries} runs repeated, ${result.timingFailures} schedules abandoned (the machine was too busy)`,
    );
  if (result.racySchedules.length > 0)
    write(
      `racy: ${result.racySchedules.length} schedules differed after two waiting steps were released at once, ` +
        "and another order of the woken sessions gives the server's record " +
        `(runs ${result.racySchedules.join(', ')}); not counted as divergences`,
    );
  const [first] = result.divergences;
  if (first === undefined) {
    write(
      `no divergence: ${against === 'server' ? 'both runs' : 'the engine and the server'} agreed on every schedule`,
    );
    return 0;
  }
  write(`${result.divergences.length} divergences; the first, run ${first.run} (${first.program}):`);
  write(`  permutation: ${first.permutation.join(' ')}`);
  write(
    `  first difference: ${first.difference.what}${first.difference.step === null ? '' : ` ${first.difference.step}`}`,
  );
  write(`  server:    ${first.difference.left}`);
  write(`  ${against.padEnd(9)}  ${first.difference.right}`);
  io.stdout.write('\nthe schedule as an isolation-tester spec:\n\n');
  io.stdout.write(documentText(io.stdout, first.spec));
  return 1;
}
