/**
 * A migration step kind from a parameter declaration, a parser and a body: `validate` and `run`
 * share the parser, so a plan that validates always runs with the same defaults filled in, and
 * the declaration is what the loader, the JSON Schema and `pgdrill steps` read. Steps are
 * written against `MigrationWorld`, so every world that implements it can deploy them.
 */
import { assert } from '../../../src/engine/assert.js';
import type { JsonObject, OperationOutcome, StartedOperation, StepKind } from '../../../src/harness/domain.js';
import type { ObjectSpec } from '../../../src/harness/fieldSpec.js';
import { parseParameters } from '../parameters.js';
import type { ParameterReader } from '../parameters.js';
import type { MigrationWorld } from '../migrationWorld.js';

export interface StepDefinition<P, W extends MigrationWorld> {
  readonly name: string;
  /** What the step does, as GitLab's helper does it, in a sentence or two. */
  readonly description: string;
  readonly parameters: ObjectSpec;
  readonly parse: (reader: ParameterReader) => P;
  readonly run: (world: W, parameters: P) => OperationOutcome;
  /** The step as a coroutine for the migration session, or null when these parameters run atomically. */
  readonly start?: (world: W, parameters: P) => StartedOperation | null;
}

export function defineStep<P, W extends MigrationWorld = MigrationWorld>(
  definition: StepDefinition<P, W>,
): StepKind<W> {
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters,
    validate(parameters: JsonObject): string | null {
      const parsed = parseParameters(parameters, definition.parameters, definition.parse);
      return parsed.ok ? null : parsed.error;
    },
    run(world: W, parameters: JsonObject): OperationOutcome {
      const parsed = parseParameters(parameters, definition.parameters, definition.parse);
      assert(parsed.ok, `step ${definition.name} ran with invalid parameters: ${parsed.ok ? '' : parsed.error}`);
      return definition.run(world, parsed.value);
    },
    ...(definition.start === undefined
      ? {}
      : {
          start(world: W, parameters: JsonObject): StartedOperation | null {
            const parsed = parseParameters(parameters, definition.parameters, definition.parse);
            assert(parsed.ok, `step ${definition.name} started with invalid parameters`);
            return definition.start!(world, parsed.value);
          },
        }),
  };
}
