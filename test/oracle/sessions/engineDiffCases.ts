/**
 * Schedules of random multi-session programs on which the engine once disagreed with PostgreSQL 18
 * (`pgdrill diff --sessions 3 --seed 11`), kept as data with the real server's record of each: the
 * program, the permutation, and what the server did at every step and in every table. The engine
 * must reproduce each record (test/oracle/sessions/engineDiffCases.test.ts), and so must the server
 * (test/oracle/server/engineDiffCases.test.ts), which keeps the records honest.
 */
import { readFileSync } from 'node:fs';
import type { SessionProgram } from '../../../src/oracle/server/program.js';
import type { ScheduleRecord } from '../../../src/oracle/sessions/scheduleRecord.js';

export interface EngineDiffCase {
  /** Where the campaign found it. */
  readonly found: string;
  /** The rule the engine had wrong, in one sentence. */
  readonly why: string;
  /** The program with one permutation: the schedule the server chose. */
  readonly program: SessionProgram;
  /** The server's record of that schedule. */
  readonly server: ScheduleRecord;
}

export const engineDiffCases: readonly EngineDiffCase[] = JSON.parse(
  readFileSync(new URL('./fixtures/engineDiffCases.json', import.meta.url), 'utf8'),
) as EngineDiffCase[];
