import { and, col, compare, isNotNull, isNull, lit, not, or } from '../../src/index.js';
import type { ComparisonOperator, Expr } from '../../src/index.js';
import type { FieldSpec } from '../../src/harness/fieldSpec.js';
import type { JsonObject, JsonValue } from '../../src/harness/json.js';
import { identifierProblem } from '../../src/engine/sqlText.js';

/**
 * The JSON form plans use for CHECK expressions, converted to the engine's Expr:
 *   {"isNull": "col"}  {"isNotNull": "col"}  {"and": [e, …]}  {"or": [e, …]}  {"not": e}
 *   {"eq": ["col", literal]} (also "ne", "lt", "le", "gt", "ge"; literal: number, string, boolean or null)
 * Returns the expression, or a message naming the offending path.
 */
const COMPARISONS: Readonly<Record<string, ComparisonOperator>> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};

export const CHECK_EXPRESSION_FORMS =
  'one of {"isNull": col}, {"isNotNull": col}, {"and": [...]}, {"or": [...]}, {"not": expr}, {"eq"|"ne"|"lt"|"le"|"gt"|"ge": [col, literal]}';

/** Deeper expressions are refused: a hostile plan must not exhaust the stack of validation or rendering. */
const MAX_DEPTH = 32;

export function checkExpressionFromJson(json: JsonValue, path: string, depth = 0): Expr | string {
  if (depth > MAX_DEPTH) return `field "${path}" nests expressions more than ${MAX_DEPTH} deep`;
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return `field "${path}" must be ${CHECK_EXPRESSION_FORMS}`;
  const keys = Object.keys(json);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined)
    return `field "${path}" must have exactly one operator key (${CHECK_EXPRESSION_FORMS})`;
  const operand = (json as Readonly<Record<string, JsonValue>>)[key]!;
  switch (key) {
    case 'isNull':
    case 'isNotNull':
      if (typeof operand !== 'string' || operand.length === 0) return `field "${path}.${key}" must be a column name`;
      if (identifierProblem(operand) !== null)
        return `field "${path}.${key}": column name ${identifierProblem(operand)!}`;
      return key === 'isNull' ? isNull(col(operand)) : isNotNull(col(operand));
    case 'and':
    case 'or': {
      if (!Array.isArray(operand) || operand.length === 0)
        return `field "${path}.${key}" must be a non-empty array of expressions`;
      const parts: Expr[] = [];
      for (const [index, item] of (operand as readonly JsonValue[]).entries()) {
        const part = checkExpressionFromJson(item, `${path}.${key}[${index}]`, depth + 1);
        if (typeof part === 'string') return part;
        parts.push(part);
      }
      return key === 'and' ? and(...parts) : or(...parts);
    }
    case 'not': {
      const inner = checkExpressionFromJson(operand, `${path}.not`, depth + 1);
      return typeof inner === 'string' ? inner : not(inner);
    }
    default: {
      const op = COMPARISONS[key];
      if (op === undefined) return `field "${path}" has unknown operator "${key}" (expected ${CHECK_EXPRESSION_FORMS})`;
      if (!Array.isArray(operand) || operand.length !== 2) return `field "${path}.${key}" must be [column, literal]`;
      const [column, value] = operand as readonly JsonValue[];
      if (typeof column !== 'string' || column.length === 0) return `field "${path}.${key}[0]" must be a column name`;
      if (identifierProblem(column) !== null)
        return `field "${path}.${key}[0]": column name ${identifierProblem(column)!}`;
      if (value === undefined || (value !== null && typeof value === 'object'))
        return `field "${path}.${key}[1]" must be a number, string, boolean or null`;
      if (typeof value === 'string' && value.includes('\0'))
        return `field "${path}.${key}[1]" contains a NUL byte, which PostgreSQL text cannot hold`;
      return compare(op, col(column), lit(value));
    }
  }
}

/** The JSON Schema of the same forms, for the plan schema; `#/definitions/checkExpression` refers to itself. */
const EXPRESSION_REF = { $ref: '#/definitions/checkExpression' };
const single = (key: string, value: JsonObject): JsonObject => ({
  type: 'object',
  properties: { [key]: value },
  required: [key],
  additionalProperties: false,
});
const columnName: JsonObject = { type: 'string', minLength: 1 };
const CHECK_EXPRESSION_SCHEMA: JsonObject = {
  description:
    'A CHECK expression: {"isNull": col}, {"isNotNull": col}, {"and": [...]}, {"or": [...]}, {"not": expr}, or a comparison {"eq"|"ne"|"lt"|"le"|"gt"|"ge": [col, literal]}.',
  oneOf: [
    single('isNull', columnName),
    single('isNotNull', columnName),
    single('and', { type: 'array', minItems: 1, items: EXPRESSION_REF }),
    single('or', { type: 'array', minItems: 1, items: EXPRESSION_REF }),
    single('not', EXPRESSION_REF),
    ...Object.keys(COMPARISONS).map((key) =>
      single(key, {
        type: 'array',
        items: [columnName, { type: ['number', 'string', 'boolean', 'null'] }],
        minItems: 2,
        additionalItems: false,
      }),
    ),
  ],
};

/** The `expr` parameter of add_check_constraint. */
export const CHECK_EXPRESSION_FIELD: FieldSpec = {
  kind: 'custom',
  expected: 'a CHECK expression: {"isNull": col}, {"eq": [col, literal]}, {"and": [...]}, …',
  description: 'The CHECK expression as JSON (docs/plans.md, "CHECK expressions").',
  schema: EXPRESSION_REF,
  definitions: { checkExpression: CHECK_EXPRESSION_SCHEMA },
  validate: (value, label) => {
    const parsed = checkExpressionFromJson(value, label);
    return typeof parsed === 'string' ? parsed : null;
  },
};
