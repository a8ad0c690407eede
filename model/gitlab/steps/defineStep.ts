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
  // A plan's step runs once per scenario, thousands of times with the same parameters object:
  // parsing is a pure function of it (the declaration and the catalog are constants), so each
  // object is parsed once. Plans are immutable data; a changed plan is a new object.
  const parsedRuns = new WeakMap<JsonObject, P>();
  const parsedForRun = (parameters: JsonObject, what: string): P => {
    const known = parsedRuns.get(parameters);
    if (known !== undefined) return known;
    const parsed = parseParameters(parameters, definition.parameters, definition.parse);
    assert(parsed.ok, `step ${definition.name} ${what} with invalid parameters: ${parsed.ok ? '' : parsed.error}`);
    parsedRuns.set(parameters, parsed.value);
    return parsed.value;
  };
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters,
    validate(parameters: JsonObject): string | null {
      const parsed = parseParameters(parameters, definition.parameters, definition.parse);
      return parsed.ok ? null : parsed.error;
    },
    run(world: W, parameters: JsonObject): OperationOutcome {
      return definition.run(world, parsedForRun(parameters, 'ran'));
    },
    ...(definition.start === undefined
      ? {}
      : {
          start(world: W, parameters: JsonObject): StartedOperation | null {
            return definition.start!(world, parsedForRun(parameters, 'started'));
          },
        }),
  };
}
