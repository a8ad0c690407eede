/**
 * Where an engine permutation's CPU time goes: profiles the engine side of the multi-session bench
 * (`enginePermutationThroughput`: every permutation of the regression programs from scratch, each
 * checked against its recorded outcome) with V8's sampling profiler and sorts every sample into one
 * phase by its stack:
 *
 *   node --expose-gc dist/bench/permutationProfile.js [rounds] [--tree | --scratch]
 *
 * With `--tree` it profiles the exploration of every complete schedule of the same programs as a
 * tree (bench/scheduleBench.ts) instead, with one more phase: copying a run between two steps; with
 * `--scratch`, the same complete schedules each run alone from the setup's fork (the bench's
 * "engine, from scratch" figure).
 *
 * Phases: building the world (forking the setup's database; opening the sessions and the scheduler),
 * running the steps (split into the lock manager, the scheduler and the statements themselves),
 * the driver's own bookkeeping, ending the run (finish: rollback of what is open), reading the
 * tables' contents for the record, comparing the outcome with the expected one, and the garbage
 * collector (which V8 attributes to no stack). Idle time and module loading are left out.
 */
import { Session } from 'node:inspector/promises';
import { completeSchedules, engineScratchThroughput, engineTreeThroughput, WARM_UP_ROUNDS } from './scheduleBench.js';
import { enginePermutationThroughput } from './serverBench.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The phases, in the order they are printed. */
const PHASES = [
  'setup: fork of the setup database',
  'tree: copying a run between steps',
  'setup: sessions, session setup, scheduler',
  'steps: lock manager',
  'steps: scheduler',
  'steps: statements (executor, storage, row locks, triggers)',
  'driver and backend bookkeeping (settle, harvest, records)',
  'finish (cancel, roll back what is open)',
  'recording: table contents',
  'comparison with the expected outcome',
  'garbage collector',
  'other',
] as const;
type Phase = (typeof PHASES)[number];

function phaseOf(stack: readonly ProfileNode[]): Phase | null {
  const leaf = stack[0]!.callFrame;
  if (leaf.functionName === '(garbage collector)') return 'garbage collector';
  if (leaf.functionName === '(idle)' || leaf.functionName === '(program)') return null;
  const has = (name: string, file?: string): boolean =>
    stack.some(
      (node) => node.callFrame.functionName === name && (file === undefined || node.callFrame.url.endsWith(file)),
    );
  // Async continuations start their stacks at the resumed function, so each way in is named (the
  // engine's synchronous path, `takeNow` and `endNow`, included).
  const inScope =
    has('enginePermutationThroughput') ||
    has('engineScratchThroughput') ||
    has('attemptSchedule') ||
    has('explore', 'scheduleTree.js') ||
    has('rebuild', 'scheduleTree.js') ||
    has('take', 'permutationDriver.js') ||
    has('takeNow', 'permutationDriver.js') ||
    has('end', 'permutationDriver.js') ||
    has('endNow', 'permutationDriver.js');
  if (!inScope) return null;
  if (has('fork', 'permutationDriver.js')) return 'tree: copying a run between steps';
  if (has('outcomeDifferences')) return 'comparison with the expected outcome';
  if (has('contentsNow', 'engineSessionBackend.js')) return 'recording: table contents';
  if (has('finishNow', 'engineSessionBackend.js')) return 'finish (cancel, roll back what is open)';
  if (has('begin', 'engineSessionBackend.js'))
    return has('cloneDatabaseState')
      ? 'setup: fork of the setup database'
      : 'setup: sessions, session setup, scheduler';
  const running = has('issue', 'engineSessionBackend.js') || has('runUntilQuiescent') || has('advanceClock');
  if (running) {
    if (leaf.url.includes('/engine/locks/')) return 'steps: lock manager';
    if (leaf.url.endsWith('/sessions/scheduler.js')) return 'steps: scheduler';
    if (leaf.url.includes('/engine/') || leaf.url.includes('/model/') || leaf.url === '')
      return 'steps: statements (executor, storage, row locks, triggers)';
  }
  if (
    leaf.url.endsWith('permutationDriver.js') ||
    leaf.url.endsWith('engineSessionBackend.js') ||
    leaf.url.endsWith('program.js') ||
    has('settleNow', 'engineSessionBackend.js')
  )
    return 'driver and backend bookkeeping (settle, harvest, records)';
  return 'other';
}

async function main(): Promise<void> {
  const mode = process.argv.includes('--tree')
    ? 'tree'
    : process.argv.includes('--scratch')
      ? 'scratch'
      : 'regressions';
  const rounds = Number(
    process.argv.find((argument, index) => index >= 2 && !argument.startsWith('--')) ??
      (mode === 'regressions' ? 200 : 10),
  );
  if (!Number.isInteger(rounds) || rounds <= 0) {
    console.error('usage: node dist/bench/permutationProfile.js [rounds] [--tree | --scratch]');
    process.exit(2);
  }
  const found = mode === 'regressions' ? [] : await completeSchedules();
  const run = async (count: number): Promise<{ permutations: number; programs: number }> => {
    if (mode === 'tree')
      return { permutations: (await engineTreeThroughput(found, count, 0)).schedules, programs: found.length };
    if (mode === 'scratch')
      return { permutations: (await engineScratchThroughput(found, count, 0)).schedules, programs: found.length };
    const figures = await enginePermutationThroughput(count);
    return { permutations: figures.permutations, programs: figures.programs.length };
  };
  // Warm up as the bench does (scheduleBench.ts, WARM_UP_ROUNDS): the profile is of the steady state.
  await run(mode === 'regressions' ? 20 : WARM_UP_ROUNDS);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const figures = await run(rounds);
  const used = process.cpuUsage(cpu);
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const phaseCache = new Map<number, Phase | null>();
  const totals = new Map<Phase, number>();
  let counted = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    const micros = Math.max(0, profile.timeDeltas[index + 1] ?? 0);
    let phase = phaseCache.get(id);
    if (phase === undefined) {
      const stack: ProfileNode[] = [];
      for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current))
        stack.push(byId.get(current)!);
      phase = phaseOf(stack);
      phaseCache.set(id, phase);
    }
    if (phase === null) continue;
    totals.set(phase, (totals.get(phase) ?? 0) + micros);
    counted += micros;
  }
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `engine, ${
      mode === 'tree'
        ? 'every complete schedule as a tree'
        : mode === 'scratch'
          ? 'every complete schedule from scratch'
          : 'every regression permutation from scratch'
    }: ` +
      `${figures.permutations} permutations of ${figures.programs} programs, ` +
      `${cpuSeconds.toFixed(2)} CPU s under the profiler (${Math.round(figures.permutations / cpuSeconds)} per CPU second); ` +
      `${(counted / 1000).toFixed(0)} ms of samples sorted`,
  );
  // Sample gaps are wall time (the machine is shared), so a phase's CPU time is its share of the CPU used.
  const perPermutation = (micros: number): string =>
    `${(((micros / counted) * cpuSeconds * 1e6) / figures.permutations).toFixed(1)} µs`;
  for (const phase of PHASES) {
    const micros = totals.get(phase) ?? 0;
    console.log(
      `${((100 * micros) / counted).toFixed(1).padStart(5)}%  ${perPermutation(micros).padStart(9)} CPU a permutation  ${phase}`,
    );
  }
}

await main();
