/**
 * Turns V8's allocation-site pretenuring off for the process, once, before a schedule tree is
 * explored (`exploreSchedules`). Pretenuring is a heuristic of the garbage collector: an allocation
 * site (an object or array literal, `new Array`) whose objects mostly survive a young-generation
 * collection is switched to allocate straight into the old generation. A schedule tree keeps the
 * copies of its nodes' runs alive while their subtrees run, so some forty sites of the engine
 * (a scheduler's session slot, a tuple, a lock entry) see survivors and are switched; from then on
 * their objects, short-lived ones included, land in the old generation while the objects they point
 * to are young, and those young objects stay alive (the old, dead object refers to them) until the
 * next full collection. A whole copied run then survives every young collection through one such
 * pointer, and collecting took about a third of the exploration's CPU time.
 *
 * Measured on every complete schedule of `npm run bench` explored as trees in a loop (2026-12-01,
 * load 8 to 14 on two cores, alternated): 1,600 to 1,800 schedules per CPU second with pretenuring,
 * 2,800 to 3,300 without; a copy of a lock table took 12.7 µs with the sites switched, 1.3 µs
 * without. A harness run (`pgdrill check`), which keeps no copy alive, costs the same either way.
 * The flag only changes where objects are allocated, never what a program computes.
 */
import { setFlagsFromString } from 'node:v8';

let done = false;

/** Turns allocation-site pretenuring off for this process (idempotent). */
export function turnOffPretenuring(): void {
  if (done) return;
  done = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
