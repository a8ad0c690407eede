import { escapeControlCharacters } from '../harness/terminalText.js';
import type { CliIo } from './runCli.js';

/**
 * The CLI's lines that carry untrusted text (errors naming a file or a value, warnings). Each is
 * one line: the text is escaped by the one terminal escaping function, line breaks included.
 */
export function errorLine(io: CliIo, message: string): void {
  io.stderr.write(`pgdrill: ${escapeControlCharacters(message)}\n`);
}

export function warningLine(io: CliIo, message: string): void {
  io.stderr.write(`pgdrill: warning: ${escapeControlCharacters(message)}\n`);
}

/**
 * A multi-line document for standard output (a SQL script). Redirected to a file it must stay
 * byte-exact (a quoted identifier may hold any character); on a terminal, each line's control
 * characters are escaped like any other untrusted text.
 */
export function documentText(stream: NodeJS.WriteStream, text: string): string {
  return stream.isTTY === true ? text.split('\n').map(escapeControlCharacters).join('\n') : text;
}

/**
 * `pgdrill plans | head -1`: once the reader is gone, further output is pointless and the
 * EPIPE error must not surface as a crash. Exits with the code the command had so far.
 */
const guarded = new WeakSet<NodeJS.WriteStream>();

export function endQuietlyOnBrokenPipe(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}
