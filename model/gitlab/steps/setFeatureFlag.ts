import { FEATURE_FLAGS } from '../../runners/settings.js';
import { defineStep } from './defineStep.js';

/** `Feature.enable` / `Feature.disable` during the rollout; the next request sees the new value. */
export const setFeatureFlag = defineStep({
  name: 'set_feature_flag',
  fields: ['flag', 'enabled'],
  parse: (reader) => ({ flag: reader.oneOf('flag', FEATURE_FLAGS), enabled: reader.boolean('enabled') }),
  run: (world, { flag, enabled }) => {
    world.flags.set(flag, enabled);
    return { summary: `set_feature_flag: ${flag} ${enabled ? 'enabled' : 'disabled'}`, applied: true };
  },
});
