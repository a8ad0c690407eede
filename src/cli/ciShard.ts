/**
 * `--shard auto`: the shard a CI job runs, from the variables GitLab sets for `parallel: N` jobs
 * (CI_NODE_INDEX, 1-based, and CI_NODE_TOTAL). A campaign then scales by adding CI jobs, and
 * `pgdrill merge` combines their shard reports in a final job.
 */
import { UserInputError } from '../harness/userInputError.js';

export function shardFromCi(env: NodeJS.ProcessEnv): { index: number; count: number } {
  const indexText = env.CI_NODE_INDEX;
  const countText = env.CI_NODE_TOTAL;
  if (indexText === undefined || countText === undefined) {
    throw new UserInputError(
      '--shard auto needs CI_NODE_INDEX and CI_NODE_TOTAL (GitLab sets them in jobs with parallel: N)',
    );
  }
  const index = Number(indexText);
  const count = Number(countText);
  if (!/^\d+$/.test(indexText) || !/^\d+$/.test(countText) || count < 1 || index < 1 || index > count) {
    throw new UserInputError(
      `--shard auto: CI_NODE_INDEX=${JSON.stringify(indexText)} and CI_NODE_TOTAL=${JSON.stringify(countText)} are not a shard i of n (1 ≤ i ≤ n)`,
    );
  }
  return { index, count };
}
