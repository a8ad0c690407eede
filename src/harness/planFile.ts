/**
 * Plans are JSON files. Loading validates the whole file against the declared plan fields
 * (planFields.ts) and then checks statically that every name a step uses exists at that point of
 * the plan (staticCheck.ts); every problem is reported at once, each at its line and column, so
 * a typo in a plan is a list of readable lines, never a stack trace or a silent no-op.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_API_WAIT_BOUND_MS } from './domain.js';
import type {
  CauseReason,
  ConcurrentVerdict,
  Domain,
  InvariantReason,
  Plan,
  PlanConcurrency,
  PlanStep,
  WorldBase,
} from './domain.js';
import { isJsonObject, validateField, validateObject } from './fieldSpec.js';
import type { FieldProblem } from './fieldSpec.js';
import type { JsonObject, JsonValue } from './json.js';
import { stableStringify } from './json.js';
import { parseJsonText, readInputText } from './inputFile.js';
import { JsonSyntaxError, parseJsonWithPositions, positionOf } from './jsonSource.js';
import type { ParsedJson } from './jsonSource.js';
import { cachedPlan } from './parsedPlanCache.js';
import { EXPECT_MISSING_FIELD, PLAN_NAME_PATTERN, planFields, planSpec, stepSpec } from './planFields.js';
import { staticCheckPlan } from './staticCheck.js';
import { UserInputError } from './userInputError.js';

/** A plan's name: lower-case words and digits joined by dashes, at most 100 characters. */
export const PLAN_NAME = new RegExp(PLAN_NAME_PATTERN.regex);

/** A problem of a plan file, with the step it belongs to when there is one. */
export interface PlanProblem extends FieldProblem {
  /** `step 3 (add_column)`: shown before the message. */
  readonly context?: string;
}

export function stepContext(index: number, kind: string): string {
  return `step ${index + 1} (${kind})`;
}

/** The problems as lines `file:line:column: step 3 (add_column): field "table" …`, in file order. */
export function formatPlanProblems(
  source: string,
  problems: readonly PlanProblem[],
  parsed: ParsedJson | null,
): string {
  const located = problems.map((problem) => {
    const position = parsed === null ? null : positionOf(parsed, problem.path);
    const where = position === null ? source : `${source}:${position.line}:${position.column}`;
    return { position, text: `${where}: ${problem.context ? `${problem.context}: ` : ''}${problem.message}` };
  });
  located.sort(
    (left, right) =>
      (left.position?.line ?? 0) - (right.position?.line ?? 0) ||
      (left.position?.column ?? 0) - (right.position?.column ?? 0),
  );
  const lines = [...new Set(located.map((entry) => entry.text))];
  return lines.length === 1
    ? lines[0]!
    : `${source}: ${lines.length} problems\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

/** Everything wrong with the plan's shape and values, without running anything. */
function shapeProblems<W extends WorldBase>(domain: Domain<W>, raw: JsonObject): PlanProblem[] {
  // Steps are validated one by one below, so each problem can name its step.
  const acceptAnything = {
    kind: 'custom',
    expected: 'steps',
    schema: {},
    validate: () => null,
    description: 'steps',
  } as const;
  const fields = Object.fromEntries(
    Object.entries(planFields(domain)).map(([name, spec]) => [name, name === 'steps' ? acceptAnything : spec]),
  );
  const problems: PlanProblem[] = validateObject({ ...planSpec(domain), fields }, raw, []);
  const steps = raw.steps;
  if (steps !== undefined && (!Array.isArray(steps) || steps.length === 0))
    problems.push({ path: ['steps'], message: 'field "steps" must be a non-empty array of steps' });
  if (Array.isArray(steps)) {
    const spec = stepSpec(domain);
    (steps as readonly JsonValue[]).forEach((entry, index) => {
      const kindName = isJsonObject(entry) && typeof entry.step === 'string' ? entry.step : null;
      const kind = kindName === null ? undefined : domain.steps.get(kindName);
      const context = kind === undefined ? `step ${index + 1}` : stepContext(index, kind.name);
      const found = validateField(spec, entry, []);
      problems.push(
        ...found.map((problem) => ({ path: ['steps', index, ...problem.path], message: problem.message, context })),
      );
      if (found.length > 0 || kind === undefined || !isJsonObject(entry)) return;
      const semantic = kind.validate(stepParameters(entry));
      if (semantic !== null) problems.push({ path: ['steps', index], message: semantic, context });
    });
  }
  problems.push(
    ...reasonConflicts(raw),
    ...longTransactionProblems(domain, raw),
    ...underConcurrencyProblems(domain, raw),
    ...acceptedCauseProblems(domain, raw),
  );
  return problems;
}

/**
 * What `underConcurrency` cannot say: it is for plans that run serial (a plan with `concurrency` has
 * one verdict), its expected invariant is checked, and each accepted cause explains an invariant
 * the plan checks.
 */
function underConcurrencyProblems<W extends WorldBase>(domain: Domain<W>, raw: JsonObject): PlanProblem[] {
  const verdict = raw.underConcurrency;
  if (!isJsonObject(verdict)) return [];
  const problems: PlanProblem[] = [];
  if (raw.concurrency !== undefined)
    problems.push({
      path: ['underConcurrency'],
      message:
        'field "underConcurrency" is for plans without "concurrency"; a concurrent plan has one verdict, its "expect"',
    });
  const optOut = isJsonObject(raw.optOut) ? Object.keys(raw.optOut) : [];
  const expect = verdict.expect;
  const accepts = isJsonObject(raw.accepts) ? Object.keys(raw.accepts) : [];
  if (isJsonObject(expect) && typeof expect.breaks === 'string' && optOut.includes(expect.breaks))
    problems.push({
      path: ['underConcurrency', 'expect'],
      message: `field "underConcurrency.expect" names ${JSON.stringify(expect.breaks)}, which the plan opts out of`,
    });
  if (isJsonObject(expect) && typeof expect.breaks === 'string' && accepts.includes(expect.breaks))
    problems.push({
      path: ['underConcurrency', 'expect'],
      message: `field "underConcurrency.expect" names ${JSON.stringify(expect.breaks)}, which the plan accepts`,
    });
  if (expect === 'safe' && accepts.length > 0)
    problems.push({
      path: ['underConcurrency', 'expect'],
      message: 'field "underConcurrency.expect" is "safe" but the plan accepts breaks; a safe verdict accepts none',
    });
  const causes = [
    ...(isJsonObject(verdict.acceptsCauses) ? Object.keys(verdict.acceptsCauses) : []),
    ...(isJsonObject(verdict.ownRaces) ? Object.keys(verdict.ownRaces) : []),
  ];
  for (const id of causes) {
    const invariant = domain.causes?.find((cause) => cause.id === id)?.invariant;
    if (invariant !== undefined && optOut.includes(invariant))
      problems.push({
        path: ['underConcurrency', 'acceptsCauses', id],
        message: `cause ${JSON.stringify(id)} explains breaks of ${JSON.stringify(invariant)}, which the plan opts out of`,
      });
  }
  return problems;
}

/**
 * A plan's own `acceptsCauses`: a cause of an invariant the plan skips says nothing, and accepting a
 * cause of the expected invariant could let the race alone stand for the expected break.
 */
function acceptedCauseProblems<W extends WorldBase>(domain: Domain<W>, raw: JsonObject): PlanProblem[] {
  if (!isJsonObject(raw.acceptsCauses)) return [];
  const optOut = isJsonObject(raw.optOut) ? Object.keys(raw.optOut) : [];
  const expect = raw.expect;
  const expected = isJsonObject(expect) && typeof expect.breaks === 'string' ? expect.breaks : null;
  return Object.keys(raw.acceptsCauses).flatMap((id): PlanProblem[] => {
    const invariant = domain.causes?.find((cause) => cause.id === id)?.invariant;
    if (invariant !== undefined && optOut.includes(invariant))
      return [
        {
          path: ['acceptsCauses', id],
          message: `cause ${JSON.stringify(id)} explains breaks of ${JSON.stringify(invariant)}, which the plan opts out of`,
        },
      ];
    if (invariant !== undefined && invariant === expected)
      return [
        {
          path: ['acceptsCauses', id],
          message: `cause ${JSON.stringify(id)} explains breaks of the expected invariant ${JSON.stringify(invariant)}`,
        },
      ];
    return [];
  });
}

/** A long-transaction operation named in `traffic` runs only when `concurrency.longTransactions` is on. */
function longTransactionProblems<W extends WorldBase>(domain: Domain<W>, raw: JsonObject): PlanProblem[] {
  const concurrency = raw.concurrency;
  if (isJsonObject(concurrency) && concurrency.longTransactions === true) return [];
  const traffic = Array.isArray(raw.traffic) ? raw.traffic : [];
  return traffic.flatMap((name, index): PlanProblem[] => {
    const kind = domain.trafficOperations.find((candidate) => candidate.name === name);
    if (kind === undefined || kind.role !== 'longTransaction') return [];
    return [
      {
        path: ['traffic', index],
        message: `traffic operation ${JSON.stringify(name)} is a long transaction: it needs "concurrency": { "longTransactions": true }`,
      },
    ];
  });
}

/**
 * What `optOut` and `accepts` cannot say together with `expect`: the expected invariant is
 * neither skipped nor merely accepted, a safe plan accepts no break, and no invariant is both.
 */
function reasonConflicts(raw: JsonObject): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const optOut = isJsonObject(raw.optOut) ? Object.keys(raw.optOut) : [];
  const accepts = isJsonObject(raw.accepts) ? Object.keys(raw.accepts) : [];
  const expect = raw.expect;
  const expected = isJsonObject(expect) && typeof expect.breaks === 'string' ? expect.breaks : null;
  if (expected !== null && optOut.includes(expected))
    problems.push({
      path: ['optOut', expected],
      message: `field "optOut" cannot name the expected invariant ${JSON.stringify(expected)}`,
    });
  if (expected !== null && accepts.includes(expected))
    problems.push({
      path: ['accepts', expected],
      message: `field "accepts" cannot name the expected invariant ${JSON.stringify(expected)}`,
    });
  if (expect === 'safe' && accepts.length > 0)
    problems.push({
      path: ['accepts'],
      message: 'field "accepts" is for plans expected to break an invariant; a safe plan accepts no break',
    });
  for (const invariant of accepts)
    if (optOut.includes(invariant))
      problems.push({
        path: ['accepts', invariant],
        message: `invariant ${JSON.stringify(invariant)} is both in "optOut" and "accepts"`,
      });
  return problems;
}

const invariantReasons = (value: JsonValue | undefined): InvariantReason[] =>
  isJsonObject(value)
    ? Object.entries(value).map(([invariant, reason]) => ({ invariant, reason: reason as string }))
    : [];

function stepParameters(entry: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(entry).filter(([name]) => name !== 'step' && name !== EXPECT_MISSING_FIELD));
}

function planStep(entry: JsonObject): PlanStep {
  const expectMissing = entry[EXPECT_MISSING_FIELD];
  return {
    step: entry.step as string,
    parameters: stepParameters(entry),
    ...(typeof expectMissing === 'string' ? { expectMissing } : {}),
  };
}

function planConcurrency(raw: JsonObject): PlanConcurrency {
  return {
    requests: raw.requests as number,
    apiWaitBoundMs: typeof raw.apiWaitBoundMs === 'number' ? raw.apiWaitBoundMs : DEFAULT_API_WAIT_BOUND_MS,
    workers: raw.workers === true,
    longTransactions: raw.longTransactions === true,
    migrations: raw.migrations === true,
  };
}

/** An object of named cause to reason (validated by the field's declaration), with each cause's invariant. */
function causeReasons<W extends WorldBase>(domain: Domain<W>, value: JsonValue | undefined): CauseReason[] {
  return (isJsonObject(value) ? Object.entries(value) : []).map(([cause, reason]) => {
    const definition = domain.causes?.find((candidate) => candidate.id === cause);
    return { cause, invariant: definition!.invariant, reason: reason as string };
  });
}

function concurrentVerdict<W extends WorldBase>(
  domain: Domain<W>,
  raw: JsonObject,
  serial: Plan['expect'],
): ConcurrentVerdict {
  const reasons = (value: JsonValue | undefined): CauseReason[] => causeReasons(domain, value);
  return {
    expect: raw.expect === undefined ? serial : parseExpect(raw.expect),
    acceptsCauses: reasons(raw.acceptsCauses),
    ownRaces: reasons(raw.ownRaces),
    comment: raw.comment as string,
  };
}

const parseExpect = (value: JsonValue | undefined): Plan['expect'] =>
  value === 'safe' ? 'safe' : { breaks: (value as JsonObject).breaks as string };

const stringList = (value: JsonValue | undefined): string[] | null =>
  Array.isArray(value) ? (value as string[]) : null;

/**
 * Validates a plan and checks its names statically; throws a UserInputError listing every
 * problem. `parsed` gives line and column for each problem when the plan came from a file.
 */
export function parsePlan<W extends WorldBase>(
  domain: Domain<W>,
  raw: JsonValue,
  source: string,
  parsed: ParsedJson | null = null,
): Plan {
  const fail = (problems: readonly PlanProblem[]): never => {
    throw new UserInputError(formatPlanProblems(source, problems, parsed));
  };
  if (!isJsonObject(raw)) return fail([{ path: [], message: 'a plan must be a JSON object' }]);
  const problems = shapeProblems(domain, raw);
  if (problems.length > 0) return fail(problems);
  const plan: Plan = {
    name: raw.name as string,
    description: raw.description as string,
    comment: raw.comment as string,
    expect: parseExpect(raw.expect),
    settings: (raw.settings as JsonObject | undefined) ?? {},
    steps: (raw.steps as readonly JsonObject[]).map(planStep),
    optOut: invariantReasons(raw.optOut),
    accepts: invariantReasons(raw.accepts),
    ...(isJsonObject(raw.acceptsCauses) ? { acceptedCauses: causeReasons(domain, raw.acceptsCauses) } : {}),
    probes: stringList(raw.probes) ?? [],
    traffic: stringList(raw.traffic),
    ...(isJsonObject(raw.concurrency) ? { concurrency: planConcurrency(raw.concurrency) } : {}),
    ...(isJsonObject(raw.underConcurrency)
      ? { underConcurrency: concurrentVerdict(domain, raw.underConcurrency, parseExpect(raw.expect)) }
      : {}),
    source,
    hash: planHash(raw),
  };
  const nameProblems = staticCheckPlan(domain, plan);
  if (nameProblems.length > 0) return fail(nameProblems);
  return plan;
}

/**
 * Parses plan text: invalid JSON is reported by line and column. The same text from the same source
 * is parsed once per process (parsedPlanCache.ts) and the plan returned is frozen.
 */
export function parsePlanText<W extends WorldBase>(domain: Domain<W>, content: string, source: string): Plan {
  return cachedPlan(domain, source, content, () => parseUncachedPlanText(domain, content, source));
}

function parseUncachedPlanText<W extends WorldBase>(domain: Domain<W>, content: string, source: string): Plan {
  let parsed: ParsedJson;
  try {
    parsed = parseJsonWithPositions(content);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    // JSON.parse names the problem without quoting the file's content (it may be anything).
    parseJsonText(content, source);
    throw new UserInputError(
      `${source}:${error.position.line}:${error.position.column}: not valid JSON: ${error.message}`,
    );
  }
  return parsePlan(domain, parsed.value, source, parsed);
}

/** The content hash of a validated plan: its canonical JSON, so formatting changes do not count. */
export function planHash(raw: JsonValue): string {
  return createHash('sha256').update(stableStringify(raw)).digest('hex').slice(0, 16);
}

export function loadPlanFile<W extends WorldBase>(domain: Domain<W>, path: string): Plan {
  return parsePlanText(domain, readInputText(path, 'plan file'), path);
}

/** Every `*.json` plan in a directory, sorted by file name. */
export function loadPlanDirectory<W extends WorldBase>(domain: Domain<W>, directory: string): Plan[] {
  const plans = readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => loadPlanFile(domain, join(directory, file)));
  const names = new Set<string>();
  for (const plan of plans) {
    if (names.has(plan.name)) throw new UserInputError(`two plans are named ${plan.name} (${basename(plan.source)})`);
    names.add(plan.name);
  }
  return plans;
}

/** The invariants a plan checks: every invariant of the domain except those it opts out of. */
export function planInvariants<W extends WorldBase>(domain: Domain<W>, plan: Plan): string[] {
  const skipped = new Set(plan.optOut.map((entry) => entry.invariant));
  return domain.invariants.map((invariant) => invariant.id).filter((id) => !skipped.has(id));
}

/**
 * The invariants whose breaking ends a run as a failure: for a safe plan every checked one; for a
 * plan expected to break X, X and every other checked invariant the plan does not accept as a
 * consequence (those are only observed, and reported as "also broke").
 */
export function planStopOn(plan: Plan, invariants: readonly string[]): string[] {
  const accepted = new Set(plan.accepts.map((entry) => entry.invariant));
  return invariants.filter((id) => !accepted.has(id));
}

/**
 * The violation a failure is about: for a plan expected to break X, an unexpected violation at
 * the same step wins over X, because it is what makes the verdict wrong.
 */
export function primaryViolation<V extends { readonly invariant: string }>(
  plan: Plan,
  violations: readonly V[],
): V | undefined {
  if (plan.expect === 'safe') return violations[0];
  const expected = plan.expect.breaks;
  return violations.find((violation) => violation.invariant !== expected) ?? violations[0];
}
