/** A statement the oracle cannot express in SQL (e.g. a trigger without a PL/pgSQL body). */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}
