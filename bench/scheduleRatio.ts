/**
 * The schedule figures of `npm run bench` alone (bench/scheduleBench.ts): every complete schedule of
 * the engine's regression programs, on the engine as a tree and from scratch (per CPU second) and on
 * the real server (per second), back to back in one process, with their ratios.
 *
 *   node --expose-gc dist/bench/scheduleRatio.js [engine rounds] [--engine-only]
 *
 * Each engine figure is measured after `WARM_UP_ROUNDS` rounds (scheduleBench.ts); the warm-up's
 * own figure is printed beside it.
 */
import {
  completeSchedules,
  engineScratchThroughput,
  engineTreeThroughput,
  serverScheduleThroughput,
} from './scheduleBench.js';

const rounds = Number(process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? 20);
if (!Number.isInteger(rounds) || rounds <= 0) {
  console.error('usage: node dist/bench/scheduleRatio.js [engine rounds] [--engine-only]');
  process.exit(2);
}
const found = await completeSchedules();
const tree = await engineTreeThroughput(found, rounds);
const scratch = await engineScratchThroughput(found, rounds);
const server = process.argv.includes('--engine-only') ? null : await serverScheduleThroughput(found);
console.log(
  JSON.stringify({
    programs: found.map(({ program, schedules, tree: shape }) => ({
      name: program.name,
      complete: schedules.length,
      cut: shape.stuck,
      forks: shape.forks,
      rebuilt: shape.rebuilt,
      steps: shape.steps,
    })),
    engineTree: tree,
    engineScratch: scratch,
    server: server === null ? null : { ...server, disagreements: server.disagreements },
    treeOverServer: server === null ? null : Math.round(tree.perCpuSecond / server.perSecond),
    scratchOverServer: server === null ? null : Math.round(scratch.perCpuSecond / server.perSecond),
  }),
);
