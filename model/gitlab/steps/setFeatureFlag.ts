/** `Feature.enable` / `Feature.disable` during the rollout; the next request sees the new value. */
import type { StepKind } from '../../../src/harness/domain.js';
import type { MigrationCatalog, MigrationWorld } from '../migrationWorld.js';
import { defineStep } from './defineStep.js';

export function setFeatureFlag(catalog: MigrationCatalog): StepKind<MigrationWorld> {
  return defineStep({
    name: 'set_feature_flag',
    description: 'Feature.enable / Feature.disable during the rollout; the next request sees the new value.',
    parameters: {
      fields: {
        flag: { kind: 'enum', values: catalog.featureFlags, description: 'The feature flag.' },
        enabled: { kind: 'boolean', description: 'Its new value.' },
      },
      required: ['flag', 'enabled'],
    },
    parse: (reader) => ({ flag: reader.oneOf('flag', catalog.featureFlags), enabled: reader.boolean('enabled') }),
    run: (world, { flag, enabled }) => {
      world.changeBookkeeping((draft) => {
        draft.flags.set(flag, enabled);
      });
      return { summary: `set_feature_flag: ${flag} ${enabled ? 'enabled' : 'disabled'}`, applied: true };
    },
  });
}
