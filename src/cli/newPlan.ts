/**
 * `pgdrill new-plan NAME [--from PLAN]`: writes `NAME.json` in the current directory, a plan
 * that loads as it is — a copy of PLAN renamed, or a minimal one-step plan — with `"$schema"`
 * pointing at the package's JSON Schema so an editor completes and checks it. It never
 * overwrites a file, and the file is written whole or not at all.
 */
import { openSync, closeSync, writeSync, unlinkSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Domain, InvariantReason, Plan, WorldBase } from '../harness/domain.js';
import type { FieldSpec } from '../harness/fieldSpec.js';
import type { JsonObject, JsonValue } from '../harness/json.js';
import { PLAN_NAME_PATTERN } from '../harness/planFields.js';
import { parsePlan } from '../harness/planFile.js';
import { UserInputError } from '../harness/userInputError.js';
import type { CliIo } from './runCli.js';

function reasonsObject(reasons: readonly InvariantReason[]): JsonObject {
  return Object.fromEntries(reasons.map((entry) => [entry.invariant, entry.reason]));
}

function planObject(plan: Plan): JsonObject {
  return {
    name: plan.name,
    description: plan.description,
    comment: plan.comment,
    expect: plan.expect === 'safe' ? 'safe' : { breaks: plan.expect.breaks },
    settings: plan.settings,
    ...(plan.optOut.length === 0 ? {} : { optOut: reasonsObject(plan.optOut) }),
    ...(plan.accepts.length === 0 ? {} : { accepts: reasonsObject(plan.accepts) }),
    ...(plan.probes.length === 0 ? {} : { probes: [...plan.probes] }),
    ...(plan.traffic === null ? {} : { traffic: [...plan.traffic] }),
    steps: plan.steps.map((step) => ({
      step: step.step,
      ...step.parameters,
      ...(step.expectMissing === undefined ? {} : { expectMissing: step.expectMissing }),
    })),
  };
}

/** A value for a required field that needs no knowledge of the world (the first of an enum), or null. */
function starterValue(spec: FieldSpec): JsonValue | null {
  if (spec.kind === 'enum') return spec.values[0] ?? null;
  if (spec.kind === 'boolean') return false;
  if (spec.kind === 'integer') return spec.minimum;
  return null;
}

/** A one-step plan: the first step kind whose required fields can all be filled without knowing the world. */
function starterPlan<W extends WorldBase>(domain: Domain<W>, name: string): JsonObject {
  let step: JsonObject | null = null;
  for (const kind of domain.steps.values()) {
    if ((kind.parameters.minFields ?? 0) > 0) continue;
    const values = (kind.parameters.required ?? []).map(
      (field) => [field, starterValue(kind.parameters.fields[field]!)] as const,
    );
    if (values.some(([, value]) => value === null)) continue;
    step = { step: kind.name, ...Object.fromEntries(values) };
    break;
  }
  return {
    name,
    description: 'What this plan deploys, in a sentence.',
    comment: 'Why the verdict is what it is: replace this, and the steps, with your design (docs/plans.md).',
    expect: 'safe',
    settings: {},
    steps: step === null ? [] : [step],
  };
}

/** `target` is NAME or a path ending in NAME (`plans/my-design`); the file is `<target>.json`. */
export function runNewPlan<W extends WorldBase>(
  domain: Domain<W>,
  target: string,
  from: Plan | null,
  schemaFile: string,
  io: CliIo,
): number {
  const name = basename(target);
  if (!new RegExp(PLAN_NAME_PATTERN.regex).test(name))
    throw new UserInputError(`new-plan NAME must be ${PLAN_NAME_PATTERN.meaning}, not ${JSON.stringify(name)}`);
  const file = resolve(`${target}.json`);
  const schemaPath = relative(dirname(file), schemaFile).split('\\').join('/');
  const body = from === null ? starterPlan(domain, name) : { ...planObject(from), name };
  const content = `${JSON.stringify({ $schema: schemaPath, ...body }, null, 2)}\n`;
  // What is written must load: a starter plan that did not would teach the wrong format.
  parsePlan(domain, JSON.parse(content) as JsonObject, file);
  let descriptor: number;
  try {
    descriptor = openSync(file, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(
      code === 'EEXIST'
        ? `${target}.json already exists; new-plan never overwrites a file`
        : `cannot create ${target}.json (${code ?? 'error'})`,
    );
  }
  try {
    writeSync(descriptor, content);
  } catch (error) {
    closeSync(descriptor);
    unlinkSync(file);
    throw new UserInputError(`cannot write ${target}.json (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  closeSync(descriptor);
  io.stdout.write(
    `wrote ${target}.json${from === null ? '' : ` (from ${from.name})`}; check it with: npx pgdrill check ${target}.json\n`,
  );
  return 0;
}
