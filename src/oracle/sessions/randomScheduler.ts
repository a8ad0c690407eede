/**
 * Random interleavings chosen as the schedule runs, the way the engine's scheduler lets a caller
 * pick which runnable session advances: at each point one session whose previous step completed
 * takes its next step. A session whose step waits is left alone, except now and then on purpose
 * (so lock_timeout fires, as in an isolation-tester permutation that steps a blocked session), or
 * when every session with steps left is waiting. The choices depend only on the seed and on which
 * sessions wait, so a schedule is replayed exactly by its recorded permutation (`runPermutation`).
 */
import type { ScheduleState, StepChooser } from '../server/permutationDriver.js';
import type { SessionProgram } from '../server/program.js';

/** A small deterministic generator (mulberry32): no Math.random, the same stream for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface ChooserOptions {
  /**
   * The chance, at each step, of stepping a waiting session although others could run: the driver
   * then waits for it until its lock_timeout fires. Zero when sessions have no lock_timeout (the
   * wait would last until the driver's bound).
   */
  readonly deliberateWait: number;
}

export function randomChooser(program: SessionProgram, seed: number, options: ChooserOptions): StepChooser {
  const random = seededRandom(seed);
  const next = program.sessions.map(() => 0);
  return (state: ScheduleState): string | null => {
    if (state.stuck) return null;
    const remaining = program.sessions.flatMap((session, index) =>
      next[index]! < session.steps.length ? [index] : [],
    );
    if (remaining.length === 0) return null;
    const runnable = remaining.filter((index) => !state.inFlight[index]);
    const waiting = remaining.filter((index) => state.inFlight[index]);
    // Draw both numbers every time, so one choice never shifts the stream of the next.
    const [wait, which] = [random(), random()];
    // A deliberate wait only when one session waits: then its own lock_timeout is the only timer
    // running while the driver waits, and real time spent issuing earlier steps cannot reorder timers.
    const candidates =
      runnable.length === 0 || (waiting.length === 1 && wait < options.deliberateWait) ? waiting : runnable;
    const session = candidates[Math.floor(which * candidates.length)]!;
    const step = program.sessions[session]!.steps[next[session]!]!;
    next[session] = next[session]! + 1;
    return step.name;
  };
}
