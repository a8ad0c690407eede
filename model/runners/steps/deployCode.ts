import { CODE_SWITCH_FIELDS } from '../settings.js';
import { defineStep } from '../../gitlab/steps/defineStep.js';
import type { RunnersWorld } from '../world.js';

/** A deploy of application code: switches the behaviours `CodeVersion` models, from the next request on. */
export const deployCode = defineStep({
  name: 'deploy_code',
  description:
    'A deploy of application code: switches the behaviours the code version models, from the next request on. Switches not given keep their value.',
  parameters: { fields: CODE_SWITCH_FIELDS, minFields: 1 },
  parse: (reader) => {
    const ensurePartitionedRunnerCopy = reader.optionalBoolean('ensurePartitionedRunnerCopy');
    const populateShardingKey = reader.optionalBoolean('populateShardingKey');
    const populateOrganizationId = reader.optionalBoolean('populateOrganizationId');
    return { ensurePartitionedRunnerCopy, populateShardingKey, populateOrganizationId };
  },
  run: (world: RunnersWorld, { ensurePartitionedRunnerCopy, populateShardingKey, populateOrganizationId }) => {
    world.changeBookkeeping((draft) => {
      if (ensurePartitionedRunnerCopy !== null) draft.code.ensurePartitionedRunnerCopy = ensurePartitionedRunnerCopy;
      if (populateShardingKey !== null) draft.code.populateShardingKey = populateShardingKey;
      if (populateOrganizationId !== null) draft.code.populateOrganizationId = populateOrganizationId;
    });
    return {
      summary: `deploy_code: ensurePartitionedRunnerCopy=${world.code.ensurePartitionedRunnerCopy} populateShardingKey=${world.code.populateShardingKey} populateOrganizationId=${world.code.populateOrganizationId}`,
      applied: true,
    };
  },
});
