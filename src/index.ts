/** pgdrill's public API: the in-memory PostgreSQL engine. */
export { Database } from './database.js';
export { Session } from './session.js';
export { Scheduler } from './engine/sessions/scheduler.js';
export type { StatementOutcome as ScheduledOutcome, WaitReport } from './engine/sessions/scheduler.js';
export type { ConstraintInfo, DatabaseSnapshot, SelectOptions, TableInfo } from './database.js';
export type { StatementEvent, StatementListener, StatementOutcome } from './statementEvent.js';
export type { SessionHandle } from './engine/sessionHandle.js';
export type { Statement, StatementKind, StatementResult } from './engine/statements/registry.js';
export { PgError, SqlState, isPgError } from './engine/errors.js';
export { EngineAssertionError } from './engine/assert.js';
export { Tx } from './coroutines/transactionApi.js';
export type { CatalogView, Pause, TransactionOptions, Work } from './coroutines/transactionApi.js';
export { runSerially } from './coroutines/serialRunner.js';
export type { StatementExecutor } from './coroutines/serialRunner.js';
export * from './engine/expression.js';
export type { Row, SqlValue, ColumnType } from './engine/values.js';
export type { RowInput } from './engine/rowBuilding.js';
export type { OnConflict, InsertOptions } from './engine/insertStatement.js';
export type { Assignments } from './engine/updateStatement.js';
export type {
  ColumnSpec,
  ConstraintSpec,
  IndexSpec,
  TableSpec,
  TriggerSpec,
  ForeignKeySpec,
  CheckSpec,
} from './engine/ddl/specs.js';
export type {
  ReferentialAction,
  RowTriggerContext,
  RowTriggerFunction,
  StatementTriggerContext,
  StatementTriggerFunction,
  TriggerEvent,
} from './engine/catalog.js';
// The V8 settings pgdrill's own campaign processes run with, for a vitest config's `execArgv`.
export { CAMPAIGN_V8_FLAGS, useCampaignCompilerFlags } from './cli/compilerFlags.js';
