import type { SqlValue } from './values.js';
import { escapeControlCharacters } from '../harness/terminalText.js';
import { RenderError } from './sql/renderError.js';

/**
 * The one place where text becomes SQL. Plans and counterexamples are untrusted input, and every
 * name or value they carry that reaches a script goes through exactly one of these functions,
 * one per kind: an identifier (`quoteIdentifier`, PostgreSQL's quote_ident), a literal
 * (`quoteLiteral`, quote_literal), a PL/pgSQL body built from a template (`formatSql`, like
 * PostgreSQL's `format('%I', '%L')`), a dollar-quoted function body (`dollarQuote`) and the text
 * of a `--` comment (`sqlComment`). Text PostgreSQL cannot represent (a NUL byte) is refused with
 * a `SqlQuoteError` rather than rendered wrongly.
 */
export class SqlQuoteError extends RenderError {}

/** NAMEDATALEN - 1: PostgreSQL truncates longer identifiers, so plans may not use them (see identifierProblem). */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * Keywords that quote_ident quotes: PostgreSQL's reserved, column-name and type/function-name
 * keywords (src/include/parser/kwlist.h, every category but UNRESERVED_KEYWORD, up to
 * PostgreSQL 18). A few unreserved ones (name, key, value, type, partition, status) are quoted
 * too, as the scripts always did; quoting more than needed is harmless.
 */
const QUOTED_KEYWORDS = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'authorization',
  'between',
  'bigint',
  'binary',
  'bit',
  'boolean',
  'both',
  'case',
  'cast',
  'char',
  'character',
  'check',
  'coalesce',
  'collate',
  'collation',
  'column',
  'concurrently',
  'constraint',
  'create',
  'cross',
  'current_catalog',
  'current_date',
  'current_role',
  'current_schema',
  'current_time',
  'current_timestamp',
  'current_user',
  'dec',
  'decimal',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'exists',
  'extract',
  'false',
  'fetch',
  'float',
  'for',
  'foreign',
  'freeze',
  'from',
  'full',
  'grant',
  'greatest',
  'group',
  'grouping',
  'having',
  'ilike',
  'in',
  'initially',
  'inner',
  'inout',
  'int',
  'integer',
  'intersect',
  'interval',
  'into',
  'is',
  'isnull',
  'join',
  'json',
  'json_array',
  'json_arrayagg',
  'json_exists',
  'json_object',
  'json_objectagg',
  'json_query',
  'json_scalar',
  'json_serialize',
  'json_table',
  'json_value',
  'lateral',
  'leading',
  'least',
  'left',
  'like',
  'limit',
  'localtime',
  'localtimestamp',
  'merge_action',
  'national',
  'natural',
  'nchar',
  'none',
  'normalize',
  'not',
  'notnull',
  'null',
  'nullif',
  'numeric',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'out',
  'outer',
  'overlaps',
  'overlay',
  'placing',
  'position',
  'precision',
  'primary',
  'real',
  'references',
  'returning',
  'right',
  'row',
  'select',
  'session_user',
  'setof',
  'similar',
  'smallint',
  'some',
  'substring',
  'symmetric',
  'system_user',
  'table',
  'tablesample',
  'then',
  'time',
  'timestamp',
  'to',
  'trailing',
  'treat',
  'trim',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'values',
  'varchar',
  'variadic',
  'verbose',
  'when',
  'where',
  'window',
  'with',
  'xmlattributes',
  'xmlconcat',
  'xmlelement',
  'xmlexists',
  'xmlforest',
  'xmlnamespaces',
  'xmlparse',
  'xmlpi',
  'xmlroot',
  'xmlserialize',
  'xmltable',
  'name',
  'key',
  'value',
  'type',
  'partition',
  'status',
]);

function refuseNul(text: string, what: string): void {
  if (text.includes('\0'))
    throw new SqlQuoteError(`${what} ${JSON.stringify(text)} contains a NUL byte, which PostgreSQL cannot store`);
}

/** Why PostgreSQL would not keep `name` as given, or null: empty, a NUL byte, or longer than 63 bytes (it truncates). */
export function identifierProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'contains a NUL byte';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES)
    return `is ${bytes} bytes long; PostgreSQL identifiers are at most ${MAX_IDENTIFIER_BYTES} bytes (it would truncate it)`;
  return null;
}

/** An identifier as PostgreSQL's quote_ident writes it: bare when that reads back unchanged, else double-quoted. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !QUOTED_KEYWORDS.has(name) ? name : quoteIdentifierAlways(name);
}

/**
 * An identifier always double-quoted, as Rails' quote_column_name writes the SQL GitLab generates
 * (the sync functions), so such text keeps GitLab's exact shape. The one escaping of identifiers.
 */
export function quoteIdentifierAlways(name: string): string {
  refuseNul(name, 'identifier');
  if (name.length === 0) throw new SqlQuoteError('an identifier cannot be empty');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A value as PostgreSQL's quote_literal writes it. A string with a backslash takes the `E''` form
 * with the backslashes doubled, so it reads the same whatever standard_conforming_strings is.
 */
export function quoteLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SqlQuoteError(`the number ${String(value)} has no SQL literal`);
    return String(value);
  }
  refuseNul(value, 'the string');
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/**
 * PostgreSQL's `format()` for building SQL and PL/pgSQL text: `%I` takes an identifier, `%L` a
 * literal, `%%` is a percent sign; any other `%` is a mistake in the template and throws.
 */
export function formatSql(template: string, ...args: readonly SqlValue[]): string {
  let next = 0;
  const text = template.replace(/%(.)/gs, (_match, kind: string) => {
    if (kind === '%') return '%';
    if (next >= args.length) throw new SqlQuoteError(`formatSql: too few arguments for ${JSON.stringify(template)}`);
    const arg = args[next++]!;
    if (kind === 'L') return quoteLiteral(arg);
    if (kind === 'I') {
      if (typeof arg !== 'string') throw new SqlQuoteError(`formatSql: %I takes a name, not ${String(arg)}`);
      return quoteIdentifier(arg);
    }
    throw new SqlQuoteError(`formatSql: unknown conversion %${kind} in ${JSON.stringify(template)}`);
  });
  if (next !== args.length) throw new SqlQuoteError(`formatSql: too many arguments for ${JSON.stringify(template)}`);
  return text;
}

/** A dollar-quoted body whose tag does not occur in the body, so any PL/pgSQL text quotes safely. */
export function dollarQuote(body: string): string {
  refuseNul(body, 'a function body');
  let tag = '$pgdrill$';
  for (let counter = 1; body.includes(tag); counter++) tag = `$pgdrill${counter}$`;
  return `${tag}\n${body}\n${tag}`;
}

/**
 * One `--` comment line. PostgreSQL and psql end a comment at a line feed or a carriage return,
 * so line breaks (with the spaces around them) become one space, and every other control
 * character is written as a visible escape: nothing in the text can end the comment.
 */
export function sqlComment(text: string): string {
  return `-- ${escapeControlCharacters(text.replace(/\s*[\r\n\u2028\u2029\u0085]\s*/g, ' '))}`;
}
