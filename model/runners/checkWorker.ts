import { runChunk } from '../../src/harness/campaign.js';
import type { ChunkResult } from '../../src/harness/campaign.js';
import type { ChunkTask } from '../../src/cli/campaignRunner.js';
import { runnersDomain } from './domain.js';

/**
 * The worker-thread entry of `pgdrill check --workers N` for the runners world: one chunk per
 * task. The deadline arrives as wall-clock time and becomes this thread's performance.now().
 */
export default function runChunkTask(task: ChunkTask): ChunkResult {
  const deadline =
    task.deadlineEpochMs === undefined ? undefined : performance.now() + (task.deadlineEpochMs - Date.now());
  return runChunk(runnersDomain, task.plan, task.spec, deadline !== undefined ? { deadline } : {});
}
