import { assert } from '../../src/engine/assert.js';
import type { FieldSpec, ObjectSpec } from '../../src/harness/fieldSpec.js';
import { validateObject } from '../../src/harness/fieldSpec.js';
import type { JsonObject, JsonValue } from '../../src/harness/json.js';
import { identifierProblem } from '../../src/engine/sqlText.js';

/**
 * Reading a plan step's parameters. The step's declaration (an ObjectSpec) states each field's
 * type and default; the loader has checked the types against it before a step is read, and the
 * reader takes defaults from it and asserts that each read matches the declared type, so the
 * declaration (which the JSON Schema and docs are generated from) and the code cannot disagree.
 * A read either returns the value or stops at the first problem with a message naming the field,
 * so `validate` and `run` share one parser.
 */
class ParameterProblem {
  constructor(readonly message: string) {}
}

export class ParameterReader {
  constructor(
    private readonly parameters: JsonObject,
    private readonly spec: ObjectSpec,
  ) {}

  private declared<K extends FieldSpec['kind']>(name: string, kinds: readonly K[]): Extract<FieldSpec, { kind: K }> {
    const field = this.spec.fields[name];
    assert(
      field !== undefined && (kinds as readonly string[]).includes(field.kind),
      `parameter "${name}" is read as ${kinds.join('/')} but declared ${field?.kind ?? 'nowhere'}`,
    );
    return field as Extract<FieldSpec, { kind: K }>;
  }

  private raw(name: string): JsonValue | undefined {
    return this.parameters[name];
  }

  fail(message: string): never {
    throw new ParameterProblem(message);
  }

  /** A string; `computedDefault` is for defaults derived from other fields (declared in words as `defaultText`). */
  string(name: string, computedDefault?: string): string {
    const spec = this.declared(name, ['string']);
    const value = this.raw(name) ?? spec.default ?? computedDefault;
    if (value === undefined) this.fail(`field "${name}" is required`);
    if (typeof value !== 'string' || value.length === 0) this.fail(`field "${name}" must be a non-empty string`);
    return value;
  }

  /**
   * A table, column, constraint or sequence name: PostgreSQL must keep it exactly as written
   * (at most 63 bytes, no NUL), or the engine and the exported script would disagree about it.
   */
  identifier(name: string, fallback?: string): string {
    const value = this.string(name, fallback);
    const problem = identifierProblem(value);
    if (problem !== null) this.fail(`field "${name}" ${problem}`);
    return value;
  }

  optionalString(name: string): string | null {
    this.declared(name, ['string']);
    return this.raw(name) === undefined ? null : this.string(name);
  }

  boolean(name: string): boolean {
    const spec = this.declared(name, ['boolean']);
    const value = this.raw(name) ?? spec.default;
    if (value === undefined) this.fail(`field "${name}" is required`);
    if (typeof value !== 'boolean') this.fail(`field "${name}" must be a boolean`);
    return value;
  }

  optionalBoolean(name: string): boolean | null {
    this.declared(name, ['boolean']);
    return this.raw(name) === undefined ? null : this.boolean(name);
  }

  integer(name: string): number {
    const spec = this.declared(name, ['integer']);
    const value = this.raw(name) ?? spec.default;
    if (value === undefined) this.fail(`field "${name}" is required`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < spec.minimum || value > spec.maximum)
      this.fail(`field "${name}" must be an integer from ${spec.minimum} to ${spec.maximum}`);
    return value;
  }

  optionalInteger(name: string): number | null {
    this.declared(name, ['integer']);
    return this.raw(name) === undefined ? null : this.integer(name);
  }

  /** A name list: one name or an array of names, as Rails' `column:` accepts. */
  columns(name: string): readonly string[] {
    const spec = this.declared(name, ['names']);
    const value = this.raw(name) ?? spec.default;
    if (value === undefined) this.fail(`field "${name}" is required`);
    const names = typeof value === 'string' && value.length > 0 ? [value] : value;
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      !names.every((item) => typeof item === 'string' && item.length > 0)
    ) {
      return this.fail(`field "${name}" must be a column name or a non-empty array of column names`);
    }
    for (const column of names as readonly string[]) {
      const problem = identifierProblem(column);
      if (problem !== null) this.fail(`field "${name}": column name ${JSON.stringify(column)} ${problem}`);
    }
    return names as readonly string[];
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const spec = this.declared(name, ['enum']);
    assert(
      spec.values.length === allowed.length &&
        spec.values.every((value) => (allowed as readonly string[]).includes(value)),
      `parameter "${name}" declares other values than it reads`,
    );
    const value = this.raw(name) ?? spec.default;
    if (value === undefined) this.fail(`field "${name}" is required`);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
      this.fail(`field "${name}" must be one of ${allowed.map((item) => `"${item}"`).join(', ')}`);
    return value as T;
  }

  /** The raw value, or undefined when the field is absent (for fields with their own shapes). */
  optionalJson(name: string): JsonValue | undefined {
    this.declared(name, ['enum', 'custom']);
    return this.raw(name);
  }

  json(name: string): JsonValue {
    this.declared(name, ['custom']);
    const value = this.raw(name);
    if (value === undefined) this.fail(`field "${name}" is required`);
    return value;
  }
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Checks the parameters against the declaration, then runs `read` over them; the first problem is the error. */
export function parseParameters<T>(
  parameters: JsonObject,
  spec: ObjectSpec,
  read: (reader: ParameterReader) => T,
): Parsed<T> {
  const [problem] = validateObject(spec, parameters, []);
  if (problem !== undefined) return { ok: false, error: problem.message };
  try {
    return { ok: true, value: read(new ParameterReader(parameters, spec)) };
  } catch (error) {
    if (error instanceof ParameterProblem) return { ok: false, error: error.message };
    throw error;
  }
}
