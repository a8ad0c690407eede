/**
 * Exports of a schedule: the isolation-tester spec (lexed here by the rules of PostgreSQL's
 * specscanner.l, then run through the driver) and the standalone Node script (run as a child
 * process) must both reproduce, on the real server, the outcome of the original program.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runnerRaces } from '../../../model/runners/concurrency/races.js';
import { isolationSpec, quoteSpecName, withoutClosingBraces } from '../../../src/oracle/server/isolationSpec.js';
import { lockPrograms } from '../../../src/oracle/server/lockPrograms.js';
import { nodeScript, scheduleSummary } from '../../../src/oracle/server/nodeScript.js';
import type { ScheduleSummary } from '../../../src/oracle/server/nodeScript.js';
import { runPermutation, runProgram } from '../../../src/oracle/server/permutationDriver.js';
import type { SessionProgram } from '../../../src/oracle/server/program.js';
import { EngineSessionBackend } from '../../../src/oracle/server/engineSessionBackend.js';
import { ENGINE_SESSIONS, SERVER_FEATURES } from '../../../src/oracle/sessions/sessionBackends.js';
import { generateSessionProgram } from '../../../src/oracle/sessions/randomSessions.js';
import { randomChooser } from '../../../src/oracle/sessions/randomScheduler.js';
import { runSchedule } from '../../../src/oracle/server/permutationDriver.js';
import type { PermutationOutcome } from '../../../src/oracle/server/permutationDriver.js';
import { useServer } from './serverFixture.js';
import { programFromSpec } from './specLexer.js';

const server = useServer();
const root = fileURLToPath(new URL('../../..', import.meta.url));
// Inside the project, so the script's `import pg from 'pg'` resolves to our node_modules.
const scratch = join(root, 'node_modules', '.cache', `pgdrill-scripts-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs an exported Node script on the server and returns its summary. The script has no timing retries
 * of its own, so on a busy machine it gets three tries to come out as expected.
 */
async function scriptSummary(file: string, expected: ScheduleSummary): Promise<ScheduleSummary | null> {
  let fromScript: ScheduleSummary | null = null;
  for (let attempt = 0; attempt < 3 && JSON.stringify(fromScript) !== JSON.stringify(expected); attempt += 1) {
    const { stdout } = await promisify(execFile)('node', [file, server.connectionString()], {
      cwd: root,
      timeout: 60_000,
    });
    fromScript = JSON.parse(stdout) as ScheduleSummary;
  }
  return fromScript;
}

describe('isolation-tester spec', () => {
  it('quotes names and rewrites every } so the SQL means the same', async () => {
    expect(quoteSpecName('a"b')).toBe('"a""b"');
    expect(() => quoteSpecName('a\nb')).toThrow(/newline/);
    const sql = [
      `SELECT '{1,2}'::int[] AS a, E'x}\\'y' AS b, $f$ it's } $f$ AS c, "x}y".z AS d, 'back\\slash}' AS e`,
      `/* } */ -- }\n FROM (SELECT 1 AS z) AS "x}y"`,
    ].join(' ');
    const rewritten = withoutClosingBraces(sql);
    expect(rewritten).not.toContain('}');
    const client = new pg.Client({ connectionString: server.connectionString() });
    await client.connect();
    try {
      const [original, escaped] = [await client.query(sql), await client.query(rewritten)];
      expect(escaped.rows).toEqual(original.rows);
      expect(original.rows[0]).toMatchObject({ b: "x}'y", c: " it's } ", e: 'back\\slash}' });
    } finally {
      await client.end();
    }
    expect(() => withoutClosingBraces('SELECT 1 }')).toThrow(/outside any string/);
  });

  it('runs through the driver with the outcomes of the original program', async () => {
    const program: SessionProgram = {
      ...lockPrograms[0]!.program,
      setup: [
        ...lockPrograms[0]!.program.setup,
        "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL DEFAULT '{}')",
      ],
      sessions: lockPrograms[0]!.program.sessions.map((session, index) =>
        index === 0
          ? {
              ...session,
              steps: [
                ...session.steps.slice(0, 3),
                { name: 's1_commit', sql: "INSERT INTO notes VALUES (1, '}{'); COMMIT" },
              ],
            }
          : session,
      ),
    };
    const spec = isolationSpec(program);
    expect(spec).toContain('permutation "s1_begin" "s2_begin" "s1_row1"');
    expect(spec).toContain('session "s1"');
    const fromSpec = programFromSpec(spec);
    const [original, replayed] = [
      await runProgram(server.backend(), program),
      await runProgram(server.backend(), fromSpec),
    ];
    expect(replayed.map(scheduleSummary)).toEqual(original.map(scheduleSummary));
    expect(original[0]!.contents.find((table) => table.table === 'notes')?.rows).toEqual([]);
    expect(original[1]!.contents.find((table) => table.table === 'notes')?.rows).toEqual([{ id: 1, body: '}{' }]);
  });
});

describe('standalone Node script', () => {
  // A deadlock, a lock_timeout with a queue behind it, and a row-lock wait: every path of the script's wait detection.
  const cases = [lockPrograms[0]!, ...runnerRaces.slice(2)].map((regression) => regression.program);
  it.each(cases.map((program) => [program.name, program] as const))(
    '%s: the script reproduces the driver outcome',
    async (_name, program) => {
      mkdirSync(scratch, { recursive: true });
      const permutation = program.permutations[0]!;
      const file = join(scratch, `${program.name}.mjs`);
      writeFileSync(file, nodeScript(program, permutation));
      const fromDriver = scheduleSummary(await runPermutation(server.backend(), program, permutation));
      expect(await scriptSummary(file, fromDriver)).toEqual(fromDriver);
    },
  );
});

describe('a random multi-session schedule (pgdrill diff --sessions)', () => {
  // The first schedules of seed 11 in which a step waits and no two waiters were released at once.
  const found: { program: SessionProgram; outcome: PermutationOutcome }[] = [];
  const blockedSchedule = async (): Promise<{ program: SessionProgram; outcome: PermutationOutcome }> => {
    if (found[0] !== undefined) return found[0];
    for (let run = 0; run < 20; run += 1) {
      const { sql } = generateSessionProgram(11, run, 3, SERVER_FEATURES);
      const outcome = await runSchedule(server.backend(), sql, () => randomChooser(sql, run, { deliberateWait: 0 }));
      if (outcome.steps.some((step) => step.blocked !== null) && outcome.simultaneousWakeups === 0) {
        found.push({ program: { ...sql, permutations: [outcome.permutation] }, outcome });
        return found[0]!;
      }
    }
    throw new Error('no schedule of seed 11 blocks: the generator lost its conflicts');
  };

  it('exports as an isolation spec that reproduces the recorded outcome', async () => {
    const { program, outcome } = await blockedSchedule();
    const replayed = await runProgram(server.backend(), programFromSpec(isolationSpec(program)));
    expect(replayed.map(scheduleSummary)).toEqual([scheduleSummary(outcome)]);
  });

  it('exports as a Node script that reproduces the recorded outcome', async () => {
    const { program, outcome } = await blockedSchedule();
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, 'random-schedule.mjs');
    writeFileSync(file, nodeScript(program, outcome.permutation));
    const expected = scheduleSummary(outcome);
    expect(await scriptSummary(file, expected)).toEqual(expected);
  });
});

describe('a schedule chosen on the engine (an engine counterexample)', () => {
  // The first schedule of seed 11 that the engine's own random chooser runs with a blocked step.
  const engineSchedule = async (): Promise<{ program: SessionProgram; outcome: PermutationOutcome }> => {
    for (let run = 0; run < 20; run += 1) {
      const { sql } = generateSessionProgram(11, run, 3, new Set(ENGINE_SESSIONS!.features));
      const outcome = await runSchedule(new EngineSessionBackend(), sql, () =>
        randomChooser(sql, run, { deliberateWait: 0 }),
      );
      if (outcome.steps.some((step) => step.blocked !== null))
        return { program: { ...sql, permutations: [outcome.permutation] }, outcome };
    }
    throw new Error('no schedule of seed 11 blocks on the engine');
  };

  it('exports as an isolation spec and a Node script that reproduce its outcome on the server', async () => {
    const { program, outcome } = await engineSchedule();
    const expected = scheduleSummary(outcome);
    const fromSpec = await runProgram(server.backend(), programFromSpec(isolationSpec(program)));
    expect(fromSpec.map(scheduleSummary)).toEqual([expected]);
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, 'engine-schedule.mjs');
    writeFileSync(file, nodeScript(program, outcome.permutation));
    expect(await scriptSummary(file, expected)).toEqual(expected);
  });
});
