/**
 * The static check of a plan, run when it is loaded and before any scenario: every table,
 * column, constraint, index, trigger and sequence a step names must exist at that point of the
 * plan. Without it a misspelt name is a real-looking migration failure (42P01, 42703), and a plan
 * expected to break `migrations-succeed` passes for the wrong reason.
 *
 * Nothing here is a list of names kept by hand. The plan's steps run once, in order, on a fresh
 * world without legacy data or traffic, so what each step creates, renames or drops is whatever
 * running it does (after `partition_table_by_list` the copy and its partitions exist; after a
 * swap the names have changed). Before each step, the fields its kind declares as naming a schema
 * object (`refers` in its parameter declaration) are looked up in the catalog; while it runs, an
 * engine error 42P01, 42703 or 42704 is mapped back to the step. A step that names something it
 * expects to be missing says so with `expectMissing`, and the check then insists it is missing.
 */
import type { Database } from '../database.js';
import { isPgError, SqlState } from '../engine/errors.js';
import type { Domain, Plan, PlanStep, WorldBase } from './domain.js';
import { closestNames } from './fieldSpec.js';
import type { FieldSpec, NamedObjectKind, NameReference } from './fieldSpec.js';
import type { JsonObject, JsonValue } from './json.js';
import type { PlanProblem } from './planFile.js';
import { EXPECT_MISSING_FIELD } from './planFields.js';
import { PgdrillBug } from './runScenario.js';

const NAME_ERRORS: ReadonlySet<string> = new Set([
  SqlState.undefinedTable,
  SqlState.undefinedColumn,
  SqlState.undefinedObject,
]);

interface Catalog {
  readonly tables: readonly string[];
  columns(table: string): readonly string[];
  constraints(table: string): readonly string[];
  triggers(table: string): readonly string[];
  readonly indexes: readonly string[];
  readonly sequences: readonly string[];
}

function catalogOf(db: Database): Catalog {
  const tables = db.tableNames();
  const describe = (table: string) => (db.hasTable(table) ? db.describe(table) : null);
  return {
    tables,
    columns: (table) => describe(table)?.columns.map((column) => column.name) ?? [],
    constraints: (table) => describe(table)?.constraints.map((constraint) => constraint.name) ?? [],
    triggers: (table) => describe(table)?.triggers.map((trigger) => trigger.name) ?? [],
    indexes: tables.flatMap((table) => db.describe(table).indexes.map((index) => index.name)),
    sequences: db.sequenceNames(),
  };
}

interface NamedObject {
  readonly kind: NamedObjectKind;
  readonly name: string;
  /** The table a column, constraint or trigger belongs to. */
  readonly table: string | null;
  readonly field: string;
}

/** The existing names of that kind (in that table), or null when its table is itself missing. */
function existingNames(catalog: Catalog, object: NamedObject): readonly string[] | null {
  if (object.table !== null && !catalog.tables.includes(object.table)) return null;
  switch (object.kind) {
    case 'table':
      return catalog.tables;
    case 'column':
      return catalog.columns(object.table!);
    case 'constraint':
      return catalog.constraints(object.table!);
    case 'trigger':
      return catalog.triggers(object.table!);
    case 'index':
      return catalog.indexes;
    case 'sequence':
      return catalog.sequences;
  }
}

function describeObject(object: NamedObject): string {
  return object.table === null || object.kind === 'index'
    ? `${object.kind} "${object.name}"`
    : `${object.kind} "${object.name}" of table "${object.table}"`;
}

function closestText(name: string, candidates: readonly string[]): string {
  const closest = closestNames(name, candidates);
  return closest.length === 0 ? '' : `; closest existing: ${closest.join(', ')}`;
}

/** The names a step's declared fields refer to, defaults included. */
function namedObjects(fields: Readonly<Record<string, FieldSpec>>, parameters: JsonObject): NamedObject[] {
  const objects: NamedObject[] = [];
  const fieldValue = (field: string): JsonValue | undefined => {
    const given = parameters[field];
    if (given !== undefined) return given;
    const spec = fields[field];
    return spec !== undefined && 'default' in spec ? (spec.default as JsonValue | undefined) : undefined;
  };
  for (const [field, spec] of Object.entries(fields)) {
    if ((spec.kind !== 'string' && spec.kind !== 'names') || spec.refers === undefined) continue;
    const reference: NameReference = spec.refers;
    if (reference.unlessField !== undefined && fieldValue(reference.unlessField) === true) continue;
    const value = fieldValue(field);
    const names =
      typeof value === 'string'
        ? [value]
        : Array.isArray(value)
          ? value.filter((item): item is string => typeof item === 'string')
          : [];
    const tableValue = reference.ofField === undefined ? null : fieldValue(reference.ofField);
    const table = typeof tableValue === 'string' ? tableValue : null;
    if (reference.ofField !== undefined && table === null) continue;
    for (const name of names) objects.push({ kind: reference.kind, name, table, field });
  }
  return objects;
}

/** The first double-quoted name in an engine message: `relation "x" does not exist` → `x`. */
function quotedName(message: string): string | null {
  return /"([^"]*)"/.exec(message)?.[1] ?? null;
}

function candidatesForError(catalog: Catalog, code: string, step: PlanStep): readonly string[] {
  if (code === SqlState.undefinedTable) return [...catalog.tables, ...catalog.sequences];
  const tables = Object.values(step.parameters).filter(
    (value): value is string => typeof value === 'string' && catalog.tables.includes(value),
  );
  const scope = tables.length > 0 ? tables : catalog.tables;
  if (code === SqlState.undefinedColumn) return scope.flatMap((table) => catalog.columns(table));
  return [...scope.flatMap((table) => [...catalog.constraints(table), ...catalog.triggers(table)]), ...catalog.indexes];
}

/** Every name problem of the plan, with the step and field it belongs to. */
export function staticCheckPlan<W extends WorldBase>(domain: Domain<W>, plan: Plan): PlanProblem[] {
  const world = domain.createWorld(plan.settings);
  const problems: PlanProblem[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const kind = domain.steps.get(step.step);
    if (kind === undefined) continue;
    const context = `step ${index + 1} (${step.step})`;
    const at = (field: string | null): (string | number)[] =>
      field === null ? ['steps', index] : ['steps', index, field];
    const catalog = catalogOf(world.db);
    let expectedMissingSeen = false;
    let blocked = false;
    for (const object of namedObjects(kind.parameters.fields, step.parameters)) {
      const existing = existingNames(catalog, object);
      if (existing === null || existing.includes(object.name)) continue;
      if (object.name === step.expectMissing) {
        expectedMissingSeen = true;
        continue;
      }
      blocked = true;
      problems.push({
        path: at(object.field),
        context,
        message: `${describeObject(object)} does not exist at this point of the plan${closestText(object.name, existing)}`,
      });
    }
    // A step naming something missing fails, and the deploy stops there: checking later steps against a
    // world without this step's effects would only report the consequences of the same mistake.
    if (blocked) break;
    world.currentStep = index + 1;
    let failed = false;
    try {
      kind.run(world, step.parameters);
    } catch (error) {
      if (error instanceof PgdrillBug || !isPgError(error)) throw error;
      failed = true;
      const name = quotedName(error.message);
      if (NAME_ERRORS.has(error.code) && name !== step.expectMissing) {
        const candidates = candidatesForError(catalog, error.code, step);
        problems.push({
          path: at(null),
          context,
          message: `${error.code} ${error.message} at this point of the plan${name === null ? '' : closestText(name, candidates)}`,
        });
      } else if (NAME_ERRORS.has(error.code)) expectedMissingSeen = true;
    }
    if (step.expectMissing !== undefined && !expectedMissingSeen) {
      problems.push({
        path: at(EXPECT_MISSING_FIELD),
        context,
        message: `field "${EXPECT_MISSING_FIELD}" says "${step.expectMissing}" is missing here, but the step does not fail on that name`,
      });
    }
    // The deploy stops at a failing step, so what follows never runs and names nothing.
    if (failed) break;
  }
  return problems;
}
