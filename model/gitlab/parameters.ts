import type { JsonObject, JsonValue } from '../../src/harness/json.js';
import { identifierProblem } from '../../src/engine/sqlText.js';

/**
 * Reading a plan step's parameters: each read either returns the value (defaults filled in) or
 * stops at the first problem with a message naming the field, so `validate` and `run` share one
 * parser and can never disagree.
 */
class ParameterProblem {
  constructor(readonly message: string) {}
}

export class ParameterReader {
  constructor(private readonly parameters: JsonObject) {}

  private raw(name: string): JsonValue | undefined {
    return this.parameters[name];
  }

  fail(message: string): never {
    throw new ParameterProblem(message);
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name);
    if (value === undefined && fallback !== undefined) return fallback;
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
    return this.raw(name) === undefined ? null : this.string(name);
  }

  boolean(name: string, fallback?: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) this.fail(`field "${name}" is required`);
    if (typeof value !== 'boolean') this.fail(`field "${name}" must be a boolean`);
    return value;
  }

  optionalBoolean(name: string): boolean | null {
    return this.raw(name) === undefined ? null : this.boolean(name);
  }

  /** A column list: one name or an array of names, as Rails' `column:` accepts. */
  columns(name: string, fallback?: readonly string[]): readonly string[] {
    const value = this.raw(name);
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) this.fail(`field "${name}" is required`);
    const names = typeof value === 'string' && value.length > 0 ? [value] : value;
    if (!Array.isArray(names) || names.length === 0 || !names.every((item) => typeof item === 'string' && item.length > 0)) {
      return this.fail(`field "${name}" must be a column name or a non-empty array of column names`);
    }
    for (const column of names as readonly string[]) {
      const problem = identifierProblem(column);
      if (problem !== null) this.fail(`field "${name}": column name ${JSON.stringify(column)} ${problem}`);
    }
    return names as readonly string[];
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.raw(name);
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) this.fail(`field "${name}" is required`);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) this.fail(`field "${name}" must be one of ${allowed.map((item) => `"${item}"`).join(', ')}`);
    return value as T;
  }

  /** The raw value, or undefined when the field is absent (for fields with their own shapes). */
  optionalJson(name: string): JsonValue | undefined {
    return this.raw(name);
  }

  json(name: string): JsonValue {
    const value = this.raw(name);
    if (value === undefined) this.fail(`field "${name}" is required`);
    return value;
  }
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Runs `read` over the parameters, rejecting fields it does not know (typos fail loudly). */
export function parseParameters<T>(parameters: JsonObject, known: readonly string[], read: (reader: ParameterReader) => T): Parsed<T> {
  const unknown = Object.keys(parameters).find((key) => !known.includes(key));
  if (unknown !== undefined) return { ok: false, error: `unknown field "${unknown}" (expected ${known.map((name) => `"${name}"`).join(', ')})` };
  try {
    return { ok: true, value: read(new ParameterReader(parameters)) };
  } catch (error) {
    if (error instanceof ParameterProblem) return { ok: false, error: error.message };
    throw error;
  }
}
