/**
 * A schedule as a PostgreSQL isolation-tester spec (`src/test/isolation` in PostgreSQL's tree):
 * `setup`, `teardown`, `session`, `step` and `permutation`, so a counterexample can be replayed by
 * the tool PostgreSQL's own concurrency tests use.
 *
 * The spec's lexer ends an SQL block at its first `}`, whatever the SQL around it, so every `}` in
 * a step is rewritten into a form the server reads the same: inside string constants and quoted
 * identifiers as the Unicode escape `\007D` (`U&'…'`, `U&"…"`), inside escape strings as `\x7D`;
 * comments that hold one are dropped. Names are always written quoted.
 */
import { DEFAULT_DEADLOCK_TIMEOUT_MS } from './embeddedServer.js';
import type { SessionProgram } from './program.js';

/** A name in the spec's grammar: double-quoted, a double quote doubled; newlines cannot be written. */
export function quoteSpecName(name: string): string {
  if (/[\r\n]/.test(name))
    throw new Error(`the name ${JSON.stringify(name)} holds a newline, which an isolation spec cannot quote`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string constant's or quoted identifier's text in Unicode-escape form, with every `}` escaped. */
function unicodeEscaped(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\}/g, '\\007D');
}

/** Rewrites SQL so it holds no `}`, keeping its meaning. */
export function withoutClosingBraces(sql: string): string {
  let out = '';
  let index = 0;
  const length = sql.length;
  for (let guard = 0; index < length && guard <= length; guard += 1) {
    const rest = sql.slice(index);
    const char = sql[index]!;
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', index);
      const comment = end === -1 ? rest : sql.slice(index, end);
      out += comment.includes('}') ? '' : comment;
      index += comment.length;
      continue;
    }
    if (rest.startsWith('/*')) {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      let end = index;
      for (; end < length; end += 1) {
        if (sql.startsWith('/*', end)) {
          depth += 1;
          end += 1;
        } else if (sql.startsWith('*/', end)) {
          depth -= 1;
          end += 1;
          if (depth === 0) break;
        }
      }
      const comment = sql.slice(index, end + 1);
      out += comment.includes('}') ? ' ' : comment;
      index += comment.length;
      continue;
    }
    const escapeString = /^[eE]'/.exec(rest);
    if (escapeString !== null) {
      let end = index + 2;
      while (end < length && !(sql[end] === "'" && sql[end + 1] !== "'"))
        end += sql[end] === '\\' || (sql[end] === "'" && sql[end + 1] === "'") ? 2 : 1;
      const literal = sql.slice(index, end + 1);
      out += literal.replace(/\}/g, '\\x7D');
      index = end + 1;
      continue;
    }
    const unicodePrefix = /^[uU]&(?=['"])/.exec(rest);
    if (unicodePrefix !== null && rest.includes('}')) {
      // Already in Unicode-escape form: only the braces change.
      const quote = sql[index + 2]!;
      let end = index + 3;
      while (end < length && !(sql[end] === quote && sql[end + 1] !== quote)) end += sql[end] === quote ? 2 : 1;
      out += sql.slice(index, end + 1).replace(/\}/g, '\\007D');
      index = end + 1;
      continue;
    }
    if (char === "'" || char === '"') {
      let end = index + 1;
      while (end < length && !(sql[end] === char && sql[end + 1] !== char)) end += sql[end] === char ? 2 : 1;
      const token = sql.slice(index, end + 1);
      out += token.includes('}') ? `U&${char}${unicodeEscaped(token.slice(1, -1))}${char}` : token;
      index = end + 1;
      continue;
    }
    const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
    if (dollar !== null && !/[A-Za-z0-9_]/.test(sql[index - 1] ?? ' ')) {
      const tag = dollar[0];
      const close = sql.indexOf(tag, index + tag.length);
      if (close === -1) throw new Error(`unterminated dollar-quoted string in: ${sql.slice(index, index + 60)}`);
      const body = sql.slice(index + tag.length, close);
      // A dollar-quoted body is a plain string constant: the same text as U&'…' with quotes doubled.
      out += body.includes('}')
        ? `U&'${unicodeEscaped(body).replace(/'/g, "''")}'`
        : sql.slice(index, close + tag.length);
      index = close + tag.length;
      continue;
    }
    if (char === '}')
      throw new Error(
        'a } outside any string or comment cannot be written in an isolation spec: ' +
          sql.slice(Math.max(0, index - 30), index + 30),
      );
    out += char;
    index += 1;
  }
  return out;
}

const block = (sql: string): string => `{ ${withoutClosingBraces(sql)} }`;

/** `# …` comment lines: the spec lexer ends a comment at the line end, so each line gets its own `#`. */
const comment = (text: string): string =>
  text
    .split(/\r?\n/)
    .map((line) => `# ${line}`)
    .join('\n');

export interface SpecOptions {
  /** The schema the spec's objects live in, dropped by its teardown. */
  readonly schema?: string;
  /** Only these permutations (default: the program's). */
  readonly permutations?: readonly (readonly string[])[];
  /** `deadlock_timeout` the schedule was observed with, noted in the header. */
  readonly deadlockTimeoutMs?: number;
}

export function isolationSpec(program: SessionProgram, options: SpecOptions = {}): string {
  const schema = options.schema ?? 'pgdrill_spec';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`schema ${JSON.stringify(schema)} must be a lower-case identifier`);
  const deadlockTimeoutMs = options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS;
  const lines: string[] = [
    comment(`${program.name}: ${program.description}`),
    comment(
      `generated by pgdrill; observed with deadlock_timeout = ${deadlockTimeoutMs}ms ` +
        '(the earliest waiter in a cycle is the victim)',
    ),
    '',
    // Each world lives in its own schema, recreated before every permutation.
    `setup { DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema} }`,
    ...program.setup.map((statement) => `setup ${block(statement)}`),
    `teardown { DROP SCHEMA IF EXISTS ${schema} CASCADE }`,
  ];
  for (const session of program.sessions) {
    lines.push(
      '',
      `session ${quoteSpecName(session.name)}`,
      `setup { ${[`SET search_path TO ${schema}`, ...(session.setup ?? []).map(withoutClosingBraces)].join('; ')} }`,
    );
    for (const step of session.steps) lines.push(`step ${quoteSpecName(step.name)} ${block(step.sql)}`);
  }
  lines.push('');
  for (const permutation of options.permutations ?? program.permutations)
    lines.push(`permutation ${permutation.map(quoteSpecName).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
