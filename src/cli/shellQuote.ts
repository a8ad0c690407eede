/**
 * A word of a printed shell command (`replay: npx pgdrill replay <plan file> …`). Plan file
 * paths are untrusted, so anything beyond plain path characters is single-quoted, with single
 * quotes spelled `'\''`, and pasting the command runs pgdrill with exactly that argument.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\-.,/:=@%+]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}
