/**
 * Declarations of the fields a plan file may contain: the plan's own fields, a world's settings,
 * and each step kind's parameters. One declaration serves three readers — the loader validates
 * plans against it, `planSchema.ts` turns it into the JSON Schema editors use, and the static
 * check reads which fields name tables, columns and constraints — so the three cannot drift.
 */
import type { JsonObject, JsonValue } from './json.js';
import type { JsonPathSegment } from './jsonSource.js';

/** What kind of schema object a string field names, for the static name check. */
export type NamedObjectKind = 'table' | 'column' | 'constraint' | 'sequence' | 'trigger' | 'index';

export interface NameReference {
  readonly kind: NamedObjectKind;
  /** For a column, constraint or trigger: the sibling field that names its table. */
  readonly ofField?: string;
  /** The reference is not checked when this sibling boolean field is true (`ifExists`). */
  readonly unlessField?: string;
}

interface Described {
  /** One or two sentences for docs/plans.md, the JSON Schema and `pgdrill steps`. */
  readonly description: string;
}

export type FieldSpec =
  | (Described & {
      readonly kind: 'string';
      readonly default?: string;
      /** A default computed from other fields, described in words (e.g. GitLab's generated FK name). */
      readonly defaultText?: string;
      readonly pattern?: { readonly regex: string; readonly meaning: string };
      readonly refers?: NameReference;
    })
  | (Described & { readonly kind: 'boolean'; readonly default?: boolean })
  | (Described & {
      readonly kind: 'integer';
      readonly minimum: number;
      readonly maximum: number;
      readonly default?: number;
    })
  | (Described & {
      readonly kind: 'enum';
      readonly values: readonly string[];
      readonly nullable?: boolean;
      readonly default?: string;
    })
  /** One name or a non-empty list of names, as Rails' `column:` accepts. */
  | (Described & { readonly kind: 'names'; readonly default?: readonly string[]; readonly refers?: NameReference })
  | (Described & {
      readonly kind: 'list';
      readonly items: FieldSpec;
      readonly minItems?: number;
      readonly uniqueItems?: boolean;
    })
  | (Described & ObjectSpec & { readonly kind: 'object' })
  | (Described & { readonly kind: 'choice'; readonly options: readonly FieldSpec[]; readonly expected: string })
  /** An object whose `tag` field selects one of several shapes (a plan step and its kind's parameters). */
  | (Described & {
      readonly kind: 'tagged';
      readonly tag: string;
      readonly variants: Readonly<Record<string, TaggedVariant>>;
      readonly commonFields: FieldMap;
    })
  | (Described & { readonly kind: 'constant'; readonly value: string })
  /** A shape of its own (a CHECK expression): its schema and validator are written side by side. */
  | (Described & {
      readonly kind: 'custom';
      /** What a value looks like, in words. */
      readonly expected: string;
      readonly schema: JsonObject;
      readonly definitions?: Readonly<Record<string, JsonObject>>;
      /** A whole message naming `label` (the field's dotted path), or null. */
      readonly validate: (value: JsonValue, label: string) => string | null;
    });

export type FieldMap = Readonly<Record<string, FieldSpec>>;

export interface ObjectSpec {
  readonly fields: FieldMap;
  readonly required?: readonly string[];
  /** At least this many of the fields must be given (`deploy_code` needs one switch). */
  readonly minFields?: number;
}

export interface TaggedVariant extends ObjectSpec {
  readonly description: string;
}

/** A problem at a path of the document; `message` starts with `field "<path>"` or is a whole sentence. */
export interface FieldProblem {
  readonly path: readonly JsonPathSegment[];
  readonly message: string;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `flags.reject_orphaned_runners`, `steps[3].columns[0]`: a path relative to where a message is shown. */
export function dottedPath(path: readonly JsonPathSegment[]): string {
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

const quotedList = (values: readonly string[]): string => values.map((value) => JSON.stringify(value)).join(', ');

/** The edit distance of two names, for "did you mean" hints; bounded by the names' lengths. */
export function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    let diagonal = previous[0]!;
    previous[0] = row;
    for (let column = 1; column <= right.length; column++) {
      const above = previous[column]!;
      previous[column] = Math.min(
        above + 1,
        previous[column - 1]! + 1,
        diagonal + (left[row - 1] === right[column - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[right.length]!;
}

/** Up to `limit` candidates closest to `name`, nearest first; only plausible ones (within half the name's length). */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const threshold = Math.max(2, Math.ceil(name.length / 2));
  return [...new Set(candidates)]
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(
      ({ candidate, distance }) =>
        distance <= threshold ||
        (Math.min(candidate.length, name.length) >= 4 && (candidate.includes(name) || name.includes(candidate))),
    )
    .sort((left, right) => left.distance - right.distance || (left.candidate < right.candidate ? -1 : 1))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

export function didYouMean(name: string, candidates: readonly string[]): string {
  const [closest] = closestNames(name, candidates, 1);
  return closest === undefined ? '' : `; did you mean ${JSON.stringify(closest)}?`;
}

/** What a value of this spec looks like, in words, for "must be …" messages. */
export function expectedText(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'string':
      return spec.pattern ? spec.pattern.meaning : 'a non-empty string';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `an integer from ${spec.minimum} to ${spec.maximum}`;
    case 'enum':
      return `one of ${quotedList(spec.values)}${spec.nullable ? ' or null' : ''}`;
    case 'names':
      return 'a name or a non-empty array of names';
    case 'list':
      return `an array${spec.minItems ? ` of at least ${spec.minItems}` : ''} of ${expectedText(spec.items)}`.replace(
        'of a ',
        'of ',
      );
    case 'object':
      return 'an object';
    case 'choice':
      return spec.expected;
    case 'constant':
      return JSON.stringify(spec.value);
    case 'tagged':
      return `an object with a "${spec.tag}" field`;
    case 'custom':
      return spec.expected;
  }
}

function jsonTypeOf(spec: FieldSpec): string {
  if (spec.kind === 'object' || spec.kind === 'tagged') return 'object';
  if (spec.kind === 'list' || spec.kind === 'names') return 'array';
  if (spec.kind === 'integer') return 'number';
  if (spec.kind === 'boolean') return 'boolean';
  return spec.kind === 'custom' ? 'custom' : 'string';
}

function jsonTypeOfValue(value: JsonValue): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** Validates a value against a spec; every problem is reported, not only the first. */
export function validateField(spec: FieldSpec, value: JsonValue, path: readonly JsonPathSegment[]): FieldProblem[] {
  const field = (message: string): FieldProblem[] => [{ path, message: `field "${dottedPath(path)}" ${message}` }];
  const mustBe = (): FieldProblem[] => field(`must be ${expectedText(spec)}`);
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string' || value.length === 0) return mustBe();
      if (spec.pattern && !new RegExp(spec.pattern.regex).test(value))
        return field(`must be ${spec.pattern.meaning}, not ${JSON.stringify(value)}`);
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : mustBe();
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= spec.minimum && value <= spec.maximum
        ? []
        : mustBe();
    case 'enum':
      if (value === null && spec.nullable) return [];
      if (typeof value === 'string' && spec.values.includes(value)) return [];
      return field(
        `must be ${expectedText(spec)}${typeof value === 'string' ? `, not ${JSON.stringify(value)}${didYouMean(value, spec.values)}` : ''}`,
      );
    case 'names':
      if (typeof value === 'string' && value.length > 0) return [];
      if (
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((item) => typeof item === 'string' && item.length > 0)
      )
        return [];
      return mustBe();
    case 'list': {
      if (!Array.isArray(value) || value.length < (spec.minItems ?? 0)) return mustBe();
      const problems = value.flatMap((item, index) => validateField(spec.items, item, [...path, index]));
      if (spec.uniqueItems) {
        const seen = new Set<string>();
        value.forEach((item, index) => {
          const key = JSON.stringify(item);
          if (seen.has(key))
            problems.push({
              path: [...path, index],
              message: `field "${dottedPath([...path, index])}" repeats ${key}`,
            });
          seen.add(key);
        });
      }
      return problems;
    }
    case 'object':
      return isJsonObject(value) ? validateObject(spec, value, path) : mustBe();
    case 'choice': {
      const results = spec.options.map((option) => ({ option, problems: validateField(option, value, path) }));
      if (results.some((result) => result.problems.length === 0)) return [];
      // When exactly one option has the value's JSON type, its own problems say more than "must be one of".
      const sameType = results.filter((result) => jsonTypeOf(result.option) === jsonTypeOfValue(value));
      const structured =
        sameType.length === 1 &&
        (jsonTypeOf(sameType[0]!.option) === 'object' || jsonTypeOf(sameType[0]!.option) === 'array');
      return structured ? sameType[0]!.problems : mustBe();
    }
    case 'constant':
      return value === spec.value ? [] : mustBe();
    case 'tagged':
      return isJsonObject(value) ? validateTagged(spec, value, path) : mustBe();
    case 'custom': {
      const problem = spec.validate(value, dottedPath(path));
      return problem === null ? [] : [{ path, message: problem }];
    }
  }
}

function validateTagged(
  spec: Extract<FieldSpec, { kind: 'tagged' }>,
  value: JsonObject,
  path: readonly JsonPathSegment[],
): FieldProblem[] {
  const tag = value[spec.tag];
  const names = Object.keys(spec.variants);
  if (typeof tag !== 'string')
    return [
      {
        path,
        message: `field "${dottedPath([...path, spec.tag])}" is required and must name one of ${quotedList(names)}`,
      },
    ];
  const variant = spec.variants[tag];
  if (variant === undefined) {
    return [
      {
        path: [...path, spec.tag],
        message: `unknown ${spec.tag} ${JSON.stringify(tag)}${didYouMean(tag, names)} (known: ${names.join(', ')})`,
      },
    ];
  }
  // Fields every variant accepts are validated apart, so hints about unknown fields list only the variant's own.
  const entries = Object.entries(value).filter(([name]) => name !== spec.tag);
  const common = Object.fromEntries(entries.filter(([name]) => name in spec.commonFields));
  const own = Object.fromEntries(entries.filter(([name]) => !(name in spec.commonFields)));
  return [...validateObject(variant, own, path), ...validateObject({ fields: spec.commonFields }, common, path)];
}

/** Validates an object's fields: unknown fields (with the closest known one), missing required fields, each value. */
export function validateObject(spec: ObjectSpec, value: JsonObject, path: readonly JsonPathSegment[]): FieldProblem[] {
  const known = Object.keys(spec.fields);
  const problems: FieldProblem[] = [];
  const label = (name: string): string => dottedPath([...path, name]);
  for (const [name, item] of Object.entries(value)) {
    const field = spec.fields[name];
    if (field === undefined) {
      const expected = known.length === 0 ? 'it takes no fields' : `expected ${quotedList(known)}`;
      problems.push({
        path: [...path, name],
        message: `unknown field "${label(name)}" (${expected})${didYouMean(name, known)}`,
      });
    } else problems.push(...validateField(field, item, [...path, name]));
  }
  for (const name of spec.required ?? [])
    if (!(name in value)) problems.push({ path, message: `field "${label(name)}" is required` });
  const given = known.filter((name) => name in value).length;
  if (spec.minFields !== undefined && given < spec.minFields) {
    problems.push({ path, message: `at least ${spec.minFields} of ${quotedList(known.map(label))} must be given` });
  }
  return problems;
}
