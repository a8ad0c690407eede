/** JSON values: scenarios, plans and counterexamples are plain data that round-trips through files. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** Serializes with sorted keys, so equal values always print byte-identically. */
export function stableStringify(value: JsonValue, indent = 0): string {
  const normalize = (current: JsonValue): JsonValue => {
    if (Array.isArray(current)) return current.map(normalize);
    if (current !== null && typeof current === 'object') {
      const object = current as JsonObject;
      return Object.fromEntries(
        Object.keys(object)
          .sort()
          .map((key) => [key, normalize(object[key]!)]),
      );
    }
    return current;
  };
  return JSON.stringify(normalize(value), null, indent);
}
