/**
 * Chunk results shared by the suites that run the CLI in-process (runCliInProcess.ts). A chunk's
 * result is a function of the domain, the plan's content (not the file it came from), the chunk (plan, index, seed, runs) and
 * the sizes drawn from, and the CLI suites run the same chunks again and again: the incident's
 * first chunk of seed 1 is the saved counterexample, the built-in of "never overwrites", both
 * "saving never loses the verdict" cases twice; the shards of seed 5 are the chunks of the single
 * run they are merged against. The first run of a chunk in a worker process runs it for real and
 * later ones get a copy of that result, so every command still goes through the CLI end to end
 * (arguments, shards, merging, reports, saving) and only the identical computation is not repeated.
 *
 * What a repeated run would prove is proven elsewhere: that a chunk gives the same result in another
 * thread and in another order is test/cli/workers.test.ts (two worker threads against one thread),
 * and every plan's own chunks run for real in the plan-verdict guard (test/plans). A chunk with a
 * deadline (fuzzing) depends on the clock and always runs; the active mutant is part of the key.
 * The other global switches (read caches, incremental checks) leave every answer unchanged by design.
 */
import { runChunk } from '../../src/harness/campaign.js';
import type { ChunkResult } from '../../src/harness/campaign.js';
import type { ChunkRunner } from '../../src/cli/campaignRunner.js';
import { activeMutant } from '../../model/gitlab/mutations.js';

const byDomain = new WeakMap<object, Map<string, ChunkResult>>();

/** How many chunks ran for real and how many were answered from an earlier run (for the suites' own checks). */
export const sharedChunkCounts = { ran: 0, reused: 0 };

export const sharedChunkRunner: ChunkRunner = (domain, plan, spec, options) => {
  if (options.deadline !== undefined) return runChunk(domain, plan, spec, options);
  let results = byDomain.get(domain);
  if (results === undefined) {
    results = new Map();
    byDomain.set(domain, results);
  }
  // The plan's content, not where it was read from: a plan file with a built-in's content runs its chunks.
  const { source: _source, ...content } = plan;
  const key = JSON.stringify([content, spec, options.sizes ?? null, activeMutant()]);
  const earlier = results.get(key);
  if (earlier !== undefined) {
    sharedChunkCounts.reused += 1;
    // The progress of a run that happened earlier, as a worker's chunk reports it (campaignRunner.ts).
    for (let run = 0; run < earlier.runs; run++) options.onRun?.();
    return structuredClone(earlier);
  }
  const result = runChunk(domain, plan, spec, options);
  sharedChunkCounts.ran += 1;
  results.set(key, structuredClone(result));
  return result;
};
