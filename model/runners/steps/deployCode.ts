import { defineStep } from '../../gitlab/steps/defineStep.js';
import type { RunnersWorld } from '../world.js';

/** A deploy of application code: switches the behaviours `CodeVersion` models, from the next request on. */
export const deployCode = defineStep({
  name: 'deploy_code',
  fields: ['ensurePartitionedRunnerCopy', 'populateShardingKey', 'populateOrganizationId'],
  parse: (reader) => {
    const ensurePartitionedRunnerCopy = reader.optionalBoolean('ensurePartitionedRunnerCopy');
    const populateShardingKey = reader.optionalBoolean('populateShardingKey');
    const populateOrganizationId = reader.optionalBoolean('populateOrganizationId');
    if (ensurePartitionedRunnerCopy === null && populateShardingKey === null && populateOrganizationId === null) reader.fail('field "ensurePartitionedRunnerCopy", "populateShardingKey" or "populateOrganizationId" is required');
    return { ensurePartitionedRunnerCopy, populateShardingKey, populateOrganizationId };
  },
  run: (world: RunnersWorld, { ensurePartitionedRunnerCopy, populateShardingKey, populateOrganizationId }) => {
    world.changeBookkeeping((draft) => {
      if (ensurePartitionedRunnerCopy !== null) draft.code.ensurePartitionedRunnerCopy = ensurePartitionedRunnerCopy;
      if (populateShardingKey !== null) draft.code.populateShardingKey = populateShardingKey;
      if (populateOrganizationId !== null) draft.code.populateOrganizationId = populateOrganizationId;
    });
    return { summary: `deploy_code: ensurePartitionedRunnerCopy=${world.code.ensurePartitionedRunnerCopy} populateShardingKey=${world.code.populateShardingKey} populateOrganizationId=${world.code.populateOrganizationId}`, applied: true };
  },
});
