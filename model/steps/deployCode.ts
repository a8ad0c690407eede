import { defineStep } from './defineStep.js';

/** A deploy of application code: switches the behaviours `CodeVersion` models, from the next request on. */
export const deployCode = defineStep({
  name: 'deploy_code',
  fields: ['ensurePartitionedRunnerCopy', 'populateShardingKey'],
  parse: (reader) => {
    const ensurePartitionedRunnerCopy = reader.optionalBoolean('ensurePartitionedRunnerCopy');
    const populateShardingKey = reader.optionalBoolean('populateShardingKey');
    if (ensurePartitionedRunnerCopy === null && populateShardingKey === null) reader.fail('field "ensurePartitionedRunnerCopy" or "populateShardingKey" is required');
    return { ensurePartitionedRunnerCopy, populateShardingKey };
  },
  run: (world, { ensurePartitionedRunnerCopy, populateShardingKey }) => {
    world.code = {
      ensurePartitionedRunnerCopy: ensurePartitionedRunnerCopy ?? world.code.ensurePartitionedRunnerCopy,
      populateShardingKey: populateShardingKey ?? world.code.populateShardingKey,
    };
    return { summary: `deploy_code: ensurePartitionedRunnerCopy=${world.code.ensurePartitionedRunnerCopy} populateShardingKey=${world.code.populateShardingKey}`, applied: true };
  },
});
