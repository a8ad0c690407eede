/**
 * The isolation tester's lexer and a program rebuilt from a spec, so the suites that export specs
 * run them through the driver exactly as PostgreSQL's specscanner.l would cut them.
 */
import type { SessionProgram } from '../../../src/oracle/server/program.js';

type Token = { kind: 'word' | 'sql'; text: string };

/** The isolation tester's lexer (keywords and identifiers, "quoted" names, { sql } up to the first }, # comments). */
function lexSpec(spec: string): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < spec.length; ) {
    const char = spec[index]!;
    if (/\s/.test(char)) index += 1;
    else if (char === '#') index = spec.indexOf('\n', index) === -1 ? spec.length : spec.indexOf('\n', index);
    else if (char === '{') {
      const end = spec.indexOf('}', index);
      tokens.push({ kind: 'sql', text: spec.slice(index + 1, end).trim() });
      index = end + 1;
    } else if (char === '"') {
      let text = '';
      let end = index + 1;
      for (; !(spec[end] === '"' && spec[end + 1] !== '"'); end += 1) {
        if (spec[end] === '\n') throw new Error('newline in quoted identifier');
        if (spec[end] === '"') end += 1;
        text += spec[end];
      }
      tokens.push({ kind: 'word', text });
      index = end + 1;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(spec.slice(index));
      if (word === null) throw new Error(`syntax error at ${spec.slice(index, index + 20)}`);
      tokens.push({ kind: 'word', text: word[0] });
      index += word[0].length;
    }
  }
  return tokens;
}

/** Rebuilds a program from a spec's tokens (its first setup block and teardown are the schema's). */
export function programFromSpec(spec: string): SessionProgram {
  const tokens = lexSpec(spec);
  const setup: string[] = [];
  const sessions: { name: string; setup: string[]; steps: { name: string; sql: string }[] }[] = [];
  const permutations: string[][] = [];
  for (let index = 0; index < tokens.length; ) {
    const keyword = tokens[index]!.text;
    if (keyword === 'setup' && sessions.length === 0) {
      setup.push(tokens[index + 1]!.text);
      index += 2;
    } else if (keyword === 'teardown') index += 2;
    else if (keyword === 'session') {
      sessions.push({ name: tokens[index + 1]!.text, setup: [], steps: [] });
      index += 2;
    } else if (keyword === 'setup') {
      // Its first statement points the session at the spec's schema; the backend does that itself.
      const statements = tokens[index + 1]!.text.replace(/^SET search_path TO [a-z_]+;?\s*/, '');
      if (statements !== '') sessions.at(-1)!.setup.push(statements);
      index += 2;
    } else if (keyword === 'step') {
      sessions.at(-1)!.steps.push({ name: tokens[index + 1]!.text, sql: tokens[index + 2]!.text });
      index += 3;
    } else if (keyword === 'permutation') {
      const names: string[] = [];
      for (
        index += 1;
        index < tokens.length && tokens[index]!.kind === 'word' && tokens[index]!.text !== 'permutation';
        index += 1
      )
        names.push(tokens[index]!.text);
      permutations.push(names);
    } else throw new Error(`unexpected ${keyword}`);
  }
  // The spec's first setup block makes its own schema; the backend gives each world a schema already.
  return { name: 'from-spec', description: '', setup: setup.slice(1), sessions, permutations };
}
