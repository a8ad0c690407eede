/** Random programs run on the engine, every statement recorded as SQL for the differential. */
import { Database } from '../database.js';
import type { DatabaseSnapshot } from '../database.js';
import { isPgError } from '../engine/errors.js';
import type { Program, ProgramOp } from './randomProgram.js';
import { StatementRecorder } from './recorder.js';
import type { RecordedStatement } from './recorder.js';
import { triggerSpecFor } from './triggerTemplates.js';

export interface EngineRun {
  readonly recorded: readonly RecordedStatement[];
  readonly snapshot: DatabaseSnapshot;
}

function applyOp(db: Database, op: ProgramOp): void {
  if (op.kind === 'trigger') db.createTrigger(triggerSpecFor(op.use));
  else db.execute(op);
}

/**
 * Runs a random program on a fresh engine, recording every statement as SQL. PostgreSQL errors
 * are outcomes like any other; any other failure is recorded as internal by the listener and
 * ends the run, since the engine's state is then not to be trusted.
 */
export function runProgramOnEngine(program: Program): EngineRun {
  const recorder = new StatementRecorder();
  const db = new Database();
  recorder.attach(db);
  for (const [index, op] of [...program.setup, ...program.ops].entries()) {
    recorder.tag = index;
    try {
      applyOp(db, op);
    } catch (error) {
      if (!isPgError(error)) break;
    }
  }
  // End an open or aborted transaction on both sides, so the final contents are committed ones.
  if (db.transactionStatus !== 'idle') {
    recorder.tag = program.setup.length + program.ops.length;
    db.rollback();
  }
  return { recorded: recorder.statements, snapshot: db.snapshot() };
}
