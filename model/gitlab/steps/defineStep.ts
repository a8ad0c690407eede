/**
 * A migration step kind from a parameter parser and a body: `validate` and `run` share the
 * parser, so a plan that validates always runs with the same defaults filled in. Steps are
 * written against `MigrationWorld`, so every world that implements it can deploy them.
 */
import { assert } from '../../../src/engine/assert.js';
import type { JsonObject, OperationOutcome, StepKind } from '../../../src/harness/domain.js';
import { parseParameters } from '../parameters.js';
import type { ParameterReader } from '../parameters.js';
import type { MigrationWorld } from '../migrationWorld.js';

export interface StepDefinition<P, W extends MigrationWorld> {
  readonly name: string;
  readonly fields: readonly string[];
  readonly parse: (reader: ParameterReader) => P;
  readonly run: (world: W, parameters: P) => OperationOutcome;
}

export function defineStep<P, W extends MigrationWorld = MigrationWorld>(
  definition: StepDefinition<P, W>,
): StepKind<W> {
  return {
    name: definition.name,
    validate(parameters: JsonObject): string | null {
      const parsed = parseParameters(parameters, definition.fields, definition.parse);
      return parsed.ok ? null : parsed.error;
    },
    run(world: W, parameters: JsonObject): OperationOutcome {
      const parsed = parseParameters(parameters, definition.fields, definition.parse);
      assert(parsed.ok, `step ${definition.name} ran with invalid parameters: ${parsed.ok ? '' : parsed.error}`);
      return definition.run(world, parsed.value);
    },
  };
}
