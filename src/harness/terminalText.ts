/**
 * Text from plans, counterexamples, shard reports and file names is untrusted: printed raw, an
 * escape sequence in it could rewrite the terminal (clear it, set its title, hide lines) and a
 * line break could forge output. Every such string goes through this one function before it
 * reaches a terminal or a `--` comment: control characters (C0, DEL, C1), line and paragraph
 * separators and bidirectional overrides become visible escapes such as `\x1b` or `\u202e`.
 */
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE, (character) => {
    const named = NAMED[character];
    if (named !== undefined) return named;
    const code = character.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
