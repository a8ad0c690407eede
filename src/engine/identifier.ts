/**
 * PostgreSQL keeps identifiers to NAMEDATALEN - 1 = 63 bytes: a longer name is truncated where
 * the parser reads it (truncate_identifier), without splitting a multi-byte character. Every
 * name a statement gives for a table, constraint or index goes through here, so two names that
 * differ only after byte 63 are the same object, as in PostgreSQL (and collide with 42P07/42710).
 */
export const MAX_IDENTIFIER_BYTES = 63;

const encoder = new TextEncoder();
const truncated = new Map<string, string>();

export function truncateIdentifier(name: string): string {
  // A UTF-16 code unit is at most three UTF-8 bytes, so 21 units always fit: the hot path.
  if (name.length <= 21) return name;
  const cached = truncated.get(name);
  if (cached !== undefined) return cached;
  let result = name;
  if (encoder.encode(name).length > MAX_IDENTIFIER_BYTES) {
    result = '';
    let used = 0;
    for (const character of name) {
      const size = encoder.encode(character).length;
      if (used + size > MAX_IDENTIFIER_BYTES) break;
      result += character;
      used += size;
    }
  }
  if (truncated.size < 10_000) truncated.set(name, result);
  return result;
}
