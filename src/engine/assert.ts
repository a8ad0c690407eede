/**
 * Engine assertions in the TigerBeetle style: a failed assertion is a bug in pgdrill itself,
 * never a user error, so it throws a distinct error type that the harness never mistakes for
 * a PostgreSQL error raised by the simulated database.
 */
export class EngineAssertionError extends Error {
  override readonly name = 'EngineAssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new EngineAssertionError(message);
}

/**
 * The failing half of `assert`, for hot paths: `if (!condition) fail(\`…${detail}\`)` builds its
 * message only when the assertion fails, where `assert(condition, \`…${detail}\`)` formats the
 * template on every call.
 */
export function fail(message: string): never {
  throw new EngineAssertionError(message);
}

/** Bounds every loop that walks data the user controls, so a runaway cascade fails fast. */
export const MAX_LOOP_ITERATIONS = 50_000_000;
/** Nested statements (triggers calling statements calling triggers) deeper than this are a runaway. */
export const MAX_STATEMENT_DEPTH = 64;
