/**
 * The optimising compiler's share of a campaign, with and without the campaign compiler settings
 * (src/cli/compilerFlags.ts; docs/performance.md, "The optimising compiler's share of a campaign"):
 *
 *   node dist/bench/compilerShare.js [runs per plan, default 500] [--rounds N, default 2]
 *
 * Each round runs the CLI's campaign over every safe plan in one thread (`check … --workers 1`) in a
 * child process twice, once with V8's default inlining budgets and once with `CAMPAIGN_V8_FLAGS`
 * (the order alternating between rounds), under `--trace-opt --trace-deopt`, and prints per child
 * the optimisations, the summed time of their compile jobs (which run beside the campaign's thread),
 * the deoptimisations and the child's wall time. The counts vary little between runs; the times
 * swing with the host (docs/performance.md, "Measuring on a noisy host"), so compare the counts,
 * and the times only across rounds. The last line is one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlanDirectory } from '../src/harness/planFile.js';
import { CAMPAIGN_V8_FLAGS } from '../src/cli/compilerFlags.js';
import { packageRoot } from '../model/runners/cli.js';
import { runnersDomain } from '../model/runners/domain.js';

interface ChildFigures {
  readonly flags: 'default' | 'campaign';
  readonly optimisations: number;
  readonly compileJobMs: number;
  readonly deoptimisations: number;
  readonly wallMs: number;
}

const COMPILED = /completed compiling .*took ([\d.]+), ([\d.]+), ([\d.]+) ms/;

function usage(): never {
  console.error('usage: node dist/bench/compilerShare.js [runs per plan] [--rounds N]');
  process.exit(2);
}

function parseArguments(argv: readonly string[]): { runs: number; rounds: number } {
  let runs = 500;
  let rounds = 2;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--rounds') {
      rounds = Number(argv[++index]);
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) usage();
    } else if (/^\d+$/.test(argument) && Number(argument) >= 1 && Number(argument) <= 3000) runs = Number(argument);
    else usage();
  }
  return { runs, rounds };
}

/** One child campaign; `campaign` selects the flags. The CLI's own JSON on stdout is skipped. */
function runChild(safePlans: readonly string[], runs: number, campaign: boolean): ChildFigures {
  const cli = pathToFileURL(join(packageRoot(), 'dist', 'model', 'runners', 'cli.js')).href;
  const argv = [
    'check',
    ...safePlans,
    '--seed',
    '20241031',
    '--runs',
    String(runs),
    '--workers',
    '1',
    '--json',
    '--no-save',
  ];
  // The CLI module, not bin/pgdrill.js: the binary sets the campaign flags itself.
  const program = `const { main } = await import(${JSON.stringify(cli)}); process.exitCode = await main(${JSON.stringify(argv)});`;
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--trace-opt', '--trace-deopt', ...(campaign ? CAMPAIGN_V8_FLAGS : []), '--input-type=module', '-e', program],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  const wallMs = performance.now() - started;
  // 1 is a verdict or a coverage probe missed at a small budget: the campaign ran all the same.
  if (child.status !== 0 && child.status !== 1)
    throw new Error(`the child campaign exited with ${child.status}: ${child.stderr.slice(0, 500)}`);
  let optimisations = 0;
  let compileJobMs = 0;
  let deoptimisations = 0;
  for (const line of child.stdout.split('\n')) {
    const compiled = COMPILED.exec(line);
    if (compiled !== null) {
      optimisations += 1;
      compileJobMs += Number(compiled[1]) + Number(compiled[2]) + Number(compiled[3]);
    } else if (line.startsWith('[bailout (kind')) deoptimisations += 1;
  }
  return {
    flags: campaign ? 'campaign' : 'default',
    optimisations,
    compileJobMs: Math.round(compileJobMs),
    deoptimisations,
    wallMs: Math.round(wallMs),
  };
}

function main(): void {
  const { runs, rounds } = parseArguments(process.argv.slice(2));
  const plans = loadPlanDirectory(runnersDomain, join(packageRoot(), 'model', 'plans'));
  const safePlans = plans.filter((plan) => plan.expect === 'safe').map((plan) => plan.name);
  console.log(
    `compiler share: ${safePlans.length} safe plans x ${runs} runs in one thread, ${rounds} rounds; campaign flags ${CAMPAIGN_V8_FLAGS.join(' ')}`,
  );
  const figures: ChildFigures[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternating which goes first, so a slow phase of the host does not always meet the same one.
    for (const campaign of round % 2 === 0 ? [false, true] : [true, false]) {
      const child = runChild(safePlans, runs, campaign);
      figures.push(child);
      console.log(
        `round ${round + 1}, ${child.flags.padEnd(8)}: ${child.optimisations} optimisations, compile jobs ${child.compileJobMs} ms, ${child.deoptimisations} deoptimisations, ${child.wallMs} ms wall`,
      );
    }
  }
  console.log(JSON.stringify({ runs, rounds, flags: CAMPAIGN_V8_FLAGS, children: figures }));
}

main();
