/**
 * A JSON parser that remembers where every value sits in its file, so a problem in a plan can be
 * reported as `file:line:column`, and a syntax error by line and column instead of the character
 * offset `JSON.parse` gives. Scalars are decoded by `JSON.parse` itself, so values are exactly
 * what the standard parser returns; duplicate keys, which `JSON.parse` silently collapses, are
 * reported, because in a plan the first of two `"table"` fields would be ignored without a word.
 */
import type { JsonValue } from './json.js';

/** One step of a path into a JSON document: an object key or an array index. */
export type JsonPathSegment = string | number;

export interface SourcePosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in UTF-16 code units as editors do. */
  readonly column: number;
}

export interface ParsedJson {
  readonly value: JsonValue;
  /** The position of the value at a path (`pathKey`); for an object member, the position of its key. */
  readonly positions: ReadonlyMap<string, SourcePosition>;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly position: SourcePosition,
  ) {
    super(message);
  }
}

/** Plans are a few levels deep; a deeper document is hostile or broken, and recursion must stay bounded. */
export const MAX_JSON_DEPTH = 64;

export function pathKey(path: readonly JsonPathSegment[]): string {
  return JSON.stringify(path);
}

/** The position of a path, or of its nearest ancestor that has one (the document start at worst). */
export function positionOf(parsed: ParsedJson, path: readonly JsonPathSegment[]): SourcePosition {
  for (let length = path.length; length >= 0; length--) {
    const found = parsed.positions.get(pathKey(path.slice(0, length)));
    if (found !== undefined) return found;
  }
  return { line: 1, column: 1 };
}

export function parseJsonWithPositions(text: string): ParsedJson {
  const positions = new Map<string, SourcePosition>();
  let offset = 0;
  // Line starts, so an offset converts to line and column without rescanning.
  const lineStarts = [0];
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) === 10) lineStarts.push(index + 1);

  const positionAt = (at: number): SourcePosition => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= at) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: at - lineStarts[low]! + 1 };
  };
  const fail = (message: string, at = offset): never => {
    throw new JsonSyntaxError(message, positionAt(at));
  };
  const describeHere = (): string => (offset >= text.length ? 'end of file' : `${JSON.stringify(text[offset])}`);
  const skipWhitespace = (): void => {
    while (offset < text.length && ' \t\n\r'.includes(text[offset]!)) offset++;
  };
  const expectCharacter = (character: string, what: string): void => {
    skipWhitespace();
    if (text[offset] !== character) fail(`expected ${what}, found ${describeHere()}`);
    offset++;
  };

  const parseString = (): string => {
    const start = offset;
    offset++;
    while (offset < text.length && text[offset] !== '"') {
      const code = text.charCodeAt(offset);
      if (code < 0x20) fail('control character inside a string (write it as an escape such as \\n)');
      offset += text[offset] === '\\' ? 2 : 1;
    }
    if (offset >= text.length) fail('unterminated string', start);
    offset++;
    try {
      return JSON.parse(text.slice(start, offset)) as string;
    } catch {
      return fail('invalid escape sequence in string', start);
    }
  };

  const parseNumber = (): number => {
    const start = offset;
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(offset, offset + 400));
    if (match === null) return fail(`unexpected ${describeHere()}`);
    offset += match[0].length;
    return JSON.parse(text.slice(start, offset)) as number;
  };

  const parseValue = (path: JsonPathSegment[], depth: number): JsonValue => {
    skipWhitespace();
    if (depth > MAX_JSON_DEPTH) fail(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    const here = positionAt(offset);
    const key = pathKey(path);
    if (!positions.has(key)) positions.set(key, here);
    const character = text[offset];
    if (character === '{') return parseObject(path, depth);
    if (character === '[') return parseArray(path, depth);
    if (character === '"') return parseString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, offset)) {
        offset += word.length;
        return value;
      }
    }
    if (character === '-' || (character !== undefined && character >= '0' && character <= '9')) return parseNumber();
    return fail(`expected a value, found ${describeHere()}`);
  };

  const parseObject = (path: JsonPathSegment[], depth: number): JsonValue => {
    offset++;
    const object: Record<string, JsonValue> = {};
    const seen = new Set<string>();
    skipWhitespace();
    if (text[offset] === '}') {
      offset++;
      return object;
    }
    for (;;) {
      skipWhitespace();
      if (text[offset] !== '"') fail(`expected a field name in double quotes, found ${describeHere()}`);
      const keyStart = offset;
      const name = parseString();
      if (seen.has(name)) fail(`field ${JSON.stringify(name)} appears twice in the same object`, keyStart);
      seen.add(name);
      positions.set(pathKey([...path, name]), positionAt(keyStart));
      expectCharacter(':', `":" after field ${JSON.stringify(name)}`);
      // Keys like "__proto__" must stay plain data, never reach an object's prototype.
      Object.defineProperty(object, name, {
        value: parseValue([...path, name], depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      skipWhitespace();
      if (text[offset] === ',') {
        offset++;
        continue;
      }
      if (text[offset] === '}') {
        offset++;
        return object;
      }
      fail(`expected "," or "}" after field ${JSON.stringify(name)}, found ${describeHere()}`);
    }
  };

  const parseArray = (path: JsonPathSegment[], depth: number): JsonValue => {
    offset++;
    const items: JsonValue[] = [];
    skipWhitespace();
    if (text[offset] === ']') {
      offset++;
      return items;
    }
    for (;;) {
      items.push(parseValue([...path, items.length], depth + 1));
      skipWhitespace();
      if (text[offset] === ',') {
        offset++;
        continue;
      }
      if (text[offset] === ']') {
        offset++;
        return items;
      }
      fail(`expected "," or "]" in a list, found ${describeHere()}`);
    }
  };

  // A byte-order mark is not JSON, but editors write one; it is skipped rather than reported.
  if (text.charCodeAt(0) === 0xfeff) offset = 1;
  const value = parseValue([], 0);
  skipWhitespace();
  if (offset < text.length) fail(`unexpected ${describeHere()} after the end of the document`);
  return { value, positions };
}
