/**
 * PostgreSQL errors as typed values. Every error the simulated database raises carries the
 * SQLSTATE, message and detail wording of PostgreSQL 18, plus the constraint and table fields
 * that a client library (pg, PGlite) exposes, so verdicts can be compared with the real server.
 */
export const SqlState = {
  notNullViolation: '23502',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  restrictViolation: '23001',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedObject: '42704',
  duplicateObject: '42710',
  duplicateTable: '42P07',
  duplicateColumn: '42701',
  invalidForeignKey: '42830',
  invalidTableDefinition: '42P16',
  wrongObjectType: '42809',
  dependentObjectsStillExist: '2BP01',
  inFailedTransaction: '25P02',
  noActiveTransaction: '25P01',
  activeTransaction: '25001',
  invalidSavepoint: '3B001',
  featureNotSupported: '0A000',
  cardinalityViolation: '21000',
  numericValueOutOfRange: '22003',
  divisionByZero: '22012',
  invalidTextRepresentation: '22P02',
  raiseException: 'P0001',
  objectNotInPrerequisiteState: '55000',
  invalidObjectDefinition: '42P17',
  syntaxError: '42601',
  duplicateAlias: '42712',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];

export interface PgErrorFields {
  readonly detail?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
}

/**
 * A PgError is an expected outcome (a constraint said no), raised on hot paths such as every
 * failing foreign-key check, and callers inspect its SQLSTATE, never its stack. Capturing a stack
 * trace costs more than the rest of a failing statement, so none is captured: `stack` holds just
 * the `PgError: message` line. Set `PgError.captureStackTraces = true` when debugging where a
 * PostgreSQL error is raised.
 */
export class PgError extends Error {
  static captureStackTraces = false;
  override readonly name = 'PgError';
  readonly code: string;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;

  constructor(code: string, message: string, fields: PgErrorFields = {}) {
    const limit = Error.stackTraceLimit;
    if (!PgError.captureStackTraces) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    this.detail = fields.detail;
    this.constraint = fields.constraint;
    this.table = fields.table;
    this.column = fields.column;
  }

  /** One line as psql prints it, used in reports: `ERROR:  23503 ... (constraint fk_x)`. */
  describe(): string {
    const constraint = this.constraint ? ` [${this.constraint}]` : '';
    return `${this.code} ${this.message}${constraint}`;
  }
}

export function isPgError(error: unknown): error is PgError {
  return error instanceof PgError;
}
