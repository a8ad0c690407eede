import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { JsonValue } from './json.js';
import { UserInputError } from './userInputError.js';

/**
 * Reading the files users hand to pgdrill (plans, counterexamples, shard reports). They are
 * untrusted: a directory, a device, a huge file or broken JSON is one line naming the file and
 * what was wrong, and a JSON error never quotes the file's content (it could be anything, e.g.
 * a secret the path pointed at by mistake, and it could hold terminal escape sequences).
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export function readInputText(path: string, what: string): string {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch (error) {
    throw new UserInputError(`cannot read ${what} ${path}: ${systemReason(error)}`);
  }
  try {
    const stats = fstatSync(descriptor);
    if (stats.isDirectory()) throw new UserInputError(`cannot read ${what} ${path}: it is a directory`);
    if (!stats.isFile()) throw new UserInputError(`cannot read ${what} ${path}: not a regular file`);
    if (stats.size > MAX_INPUT_BYTES)
      throw new UserInputError(
        `cannot read ${what} ${path}: ${stats.size} bytes is more than the ${MAX_INPUT_BYTES} a ${what} may have`,
      );
    return readFileSync(descriptor, 'utf8');
  } catch (error) {
    if (error instanceof UserInputError) throw error;
    throw new UserInputError(`cannot read ${what} ${path}: ${systemReason(error)}`);
  } finally {
    closeSync(descriptor);
  }
}

/** Parses JSON text; a syntax error names the position, never the content around it. */
export function parseJsonText(text: string, path: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const detail = position
      ? `at ${lineAndColumn(text, Number(position[1]))}`
      : text.trim() === ''
        ? 'the file is empty'
        : /end of JSON input/.test(message)
          ? 'it ends too early'
          : 'unexpected text';
    throw new UserInputError(`${path}: not valid JSON (${detail})`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The reason of a file-system error without its stack: `ENOENT: no such file or directory` → `no such file or directory`. */
export function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Readonly<Record<string, string>> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    EEXIST: 'it already exists',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'too many symbolic links',
  };
  return (
    (code !== undefined ? reasons[code] : undefined) ?? code ?? (error instanceof Error ? error.message : String(error))
  );
}
