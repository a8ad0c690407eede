/**
 * Random multi-session programs for `pgdrill diff --sessions N`, as data: a random schema (the
 * generator of the single-session diff, `randomProgram.ts`: composite keys, FKs of every action,
 * CHECKs, LIST partitions, triggers) with a few seed rows, and N sessions, each a short list of
 * transactions (BEGIN, possibly REPEATABLE READ, two to four statements, COMMIT or ROLLBACK) and
 * autocommit statements. Statements touch keys 1-3 of the same few tables, so sessions meet on the
 * same rows and tables often: row-lock waits, deadlocks, unique-key waits, DDL queueing writers.
 *
 * A program is a function of (seed, run) alone: fast-check draws it from a seed derived from both,
 * so one run of a campaign is reproducible without the runs before it. Seed rows are kept only when
 * the engine accepts them on its own (single-session semantics, checked by the single-session
 * diff), so the setup never fails on the server.
 */
import fc from 'fast-check';
import { Database } from '../../database.js';
import { arithmetic, col, eq, inList } from '../../engine/expression.js';
import type { Expr } from '../../engine/expression.js';
import type { CatalogView, ColumnView } from '../../engine/sql/catalogView.js';
import type { Row, SqlValue } from '../../engine/values.js';
import { catalogViewOf } from '../catalogView.js';
import type { ConstraintSpec } from '../../engine/ddl/specs.js';
import type { ConstraintMode } from '../../engine/deferredConstraints.js';
import type { KeyTiming, ProgramOp, TableDesign } from '../randomProgram.js';
import { ACTIONS, HOSTILE_TEXT, foreignKey, schemaArbitrary, statementArbitraries } from '../randomProgram.js';
import { StatementRecorder } from '../recorder.js';
import type { SessionProgram } from '../server/program.js';
import { triggerSpecFor } from '../triggerTemplates.js';
import { ROW_LOCK_STRENGTHS, TABLE_LOCK_MODES, renderSessionOp, sqlOnlyOp, statementOp } from './sessionOps.js';
import type { SessionFeature, SessionOp, TableLockMode } from './sessionOps.js';

export interface RandomStep {
  /** Unique in the program: `<session>_<index>`. */
  readonly name: string;
  readonly op: SessionOp;
}

export interface RandomSession {
  readonly name: string;
  /** Run before each permutation: the session's timeouts. */
  readonly setup: readonly SessionOp[];
  readonly steps: readonly RandomStep[];
}

export interface RandomSessionProgram {
  readonly name: string;
  /** The schema and seed rows, as engine statement values, each accepted by the engine on its own. */
  readonly setup: readonly ProgramOp[];
  /** The same, as the SQL the engine's renderer wrote for each. */
  readonly setupSql: readonly string[];
  readonly sessions: readonly RandomSession[];
  /** Table and partition names, for the catalog view the steps are rendered against. */
  readonly tables: readonly TableDesign[];
}

/**
 * Timeouts, in milliseconds, chosen so that no two events the schedule orders can swap on a busy
 * real server: every deadlock check (100 or 300 ms) fires at least 200 ms before any lock_timeout
 * (500 or 1000 ms), and two sessions' timers of different lengths are 200 ms or more apart.
 */
export const SESSION_LOCK_TIMEOUT_MS = 500;
export const SESSION_DEADLOCK_TIMEOUT_MS = 100;
const LOCK_TIMEOUTS_MS = [SESSION_LOCK_TIMEOUT_MS, 1000] as const;
const DEADLOCK_TIMEOUTS_MS = [SESSION_DEADLOCK_TIMEOUT_MS, 300] as const;

/** A 32-bit seed for run `run` of the campaign with seed `seed` (splitmix32), independent of the other runs. */
export function runSeed(seed: number, run: number): number {
  let z = (seed + Math.imul(run + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

const key = fc.constantFrom(1, 2, 3);

/**
 * The tables of foreign keys between two different tables: a session locking a referenced table
 * (LOCK TABLE, DDL) makes the other sessions' FK checks on a referencing table wait for its RowShare
 * lock, at the statement's end or, for a deferred key, at COMMIT, their rows already written.
 */
function crossTableKeys(schema: readonly ProgramOp[]): CrossTableKeys {
  const parents = new Set<string>();
  const children = new Set<string>();
  let deferrable = false;
  const add = (child: string, parent: string, constraint: ConstraintSpec): void => {
    if (child === parent) return;
    parents.add(parent);
    children.add(child);
    if (constraint.kind === 'foreignKey' && constraint.deferrable === true) deferrable = true;
  };
  for (const op of schema) {
    if (op.kind === 'createTable')
      for (const constraint of op.spec.constraints ?? [])
        if (constraint.kind === 'foreignKey') add(op.spec.name, constraint.references.table, constraint);
    if (op.kind === 'addConstraint' && op.constraint.kind === 'foreignKey')
      add(op.table, op.constraint.references.table, op.constraint);
  }
  return { parents: [...parents].sort(), children: [...children].sort(), deferrable };
}

interface CrossTableKeys {
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Whether one of the keys is DEFERRABLE (so SET CONSTRAINTS ALL DEFERRED defers its checks). */
  readonly deferrable: boolean;
}

/**
 * The k1 of the anchor rows every referenced table is seeded with (k2 = 1, p = 1): the rows that
 * referencing rows written by sessions point at, and that other sessions delete, re-key or lock.
 */
const ANCHORS = [1, 2] as const;

/** The anchor rows of a referenced table, before its random seed rows. */
function anchorRows(table: string): ProgramOp[] {
  return ANCHORS.map(
    (k1): ProgramOp => ({
      kind: 'insert',
      table,
      rows: [{ k1, k2: 1, p: 1, v: 0, s: 'a', r1: null, rp: null, r2: 1 }],
      options: {},
    }),
  );
}

function sessionArbitraries(
  tables: readonly TableDesign[],
  features: ReadonlySet<SessionFeature>,
  { parents, children, deferrable }: CrossTableKeys,
) {
  const leaves = tables.flatMap((table) => (table.partitions ?? []).map((partition) => partition.name));
  // Most statements go to the first table, so sessions meet there; partitions get addressed directly too.
  const tableName = fc.oneof(
    { arbitrary: fc.constant(tables[0]!.name), weight: 6 },
    { arbitrary: fc.constantFrom(...tables.map((table) => table.name)), weight: 3 },
    ...(leaves.length === 0 ? [] : [{ arbitrary: fc.constantFrom(...leaves), weight: 1 }]),
  );
  const where: fc.Arbitrary<Expr> = fc.oneof(
    { arbitrary: fc.constantFrom(1, 2).map((value) => eq(col('k1'), value)), weight: 4 },
    { arbitrary: fc.constantFrom([1, 2], [2, 3]).map((values) => inList(col('k1'), values)), weight: 1 },
    { arbitrary: key.map((value) => eq(col('r1'), value)), weight: 1 },
  );
  const assignment: fc.Arbitrary<Readonly<Record<string, Expr | SqlValue>>> = fc.oneof(
    { arbitrary: fc.constant({ v: arithmetic('+', col('v'), 1) }), weight: 3 },
    { arbitrary: fc.constantFrom<SqlValue>(5, -1, 0).map((v) => ({ v })), weight: 1 },
    { arbitrary: fc.constantFrom<SqlValue>('keep', 'skip', HOSTILE_TEXT).map((s) => ({ s })), weight: 1 },
    { arbitrary: key.map((k1) => ({ k1 })), weight: 1 },
    { arbitrary: fc.constantFrom(1, 2).map((p) => ({ p })), weight: 1 },
    { arbitrary: key.map((r1) => ({ r1, rp: 1 })), weight: 1 },
  );
  const row: fc.Arbitrary<Row> = fc
    .record({
      k1: key,
      k2: key,
      p: fc.constantFrom(1, 2),
      v: fc.constantFrom(0, 1, 5),
      s: fc.constantFrom<SqlValue>('a', 'keep', null),
      r1: fc.constantFrom<SqlValue>(1, 2, null),
      rp: fc.constantFrom<SqlValue>(1, null),
    })
    .map((fields) => ({ ...fields, r2: fields.k2 }));
  const insert = fc
    .record({ table: tableName, row, conflict: fc.nat({ max: 5 }) })
    .map(({ table, row: values, conflict }): ProgramOp => {
      const options =
        conflict === 0
          ? { onConflict: { action: 'nothing' as const } }
          : conflict === 1
            ? { onConflict: { target: keyOf(tables, table), action: { update: { v: arithmetic('+', col('v'), 10) } } } }
            : {};
      return { kind: 'insert', table, rows: [values], options };
    });
  const update = fc
    .record({ table: tableName, set: assignment, where })
    .map(
      ({ table, set, where: condition }): ProgramOp => ({ kind: 'update', table, set, where: condition, options: {} }),
    );
  const remove = fc
    .record({ table: tableName, where })
    .map(({ table, where: condition }): ProgramOp => ({ kind: 'delete', table, where: condition, options: {} }));
  const select = fc
    .record({ table: tableName, where })
    .map(({ table, where: condition }): ProgramOp => ({ kind: 'select', table, options: { where: condition } }));
  // Seed rows: valid keys mostly, references now and then, so FK actions and checks have rows to act on.
  const seedRow: fc.Arbitrary<Row> = fc
    .record({
      k1: key,
      k2: key,
      p: fc.constantFrom(1, 2),
      v: fc.constantFrom(0, 1),
      s: fc.constantFrom<SqlValue>('a', 'keep', null),
      r1: fc.constantFrom<SqlValue>(1, 2, null, null),
      rp: fc.constantFrom<SqlValue>(1, null),
    })
    .map((fields) => ({ ...fields, r2: fields.k2 }));
  const { trigger: _createTrigger, ...ddl } = statementArbitraries(tables).ddl;
  const dml = fc.oneof(
    { arbitrary: update, weight: 4 },
    { arbitrary: insert, weight: 3 },
    { arbitrary: remove, weight: 2 },
    { arbitrary: select, weight: 1 },
  );
  const lockingRead = fc
    .record({
      table: tableName,
      where: fc.option(where, { nil: null, freq: 4 }),
      strength: fc.constantFrom(...ROW_LOCK_STRENGTHS),
      wait: fc.constantFrom<'NOWAIT' | 'SKIP LOCKED' | null>(null, null, 'NOWAIT', 'SKIP LOCKED'),
    })
    .map((read) => sqlOnlyOp({ kind: 'lockingRead', ...read }));
  const lockTable = fc
    .record({ table: tableName, mode: fc.constantFrom(...TABLE_LOCK_MODES), nowait: fc.nat({ max: 3 }) })
    .map(({ table, mode, nowait }) => sqlOnlyOp({ kind: 'lockTable', tables: [table], mode, nowait: nowait === 0 }));
  // (Drawn only when there are such tables; an empty list gives a placeholder never used.)
  const oneOf = (names: readonly string[]) => fc.constantFrom(...(names.length === 0 ? [''] : names));
  // A referenced table locked in a mode that conflicts with the RowShare of other sessions' FK checks,
  // and rows of referencing tables whose key columns are all set, so their checks run.
  const lockParent = fc
    .record({
      table: oneOf(parents),
      mode: fc.constantFrom<TableLockMode>('EXCLUSIVE', 'ACCESS EXCLUSIVE'),
    })
    .map(({ table, mode }) => sqlOnlyOp({ kind: 'lockTable', tables: [table], mode, nowait: false }));
  // The races of a referencing row with its referenced row (docs/concurrency.md, semantics 3): a
  // session writes a row pointing at an anchor (an INSERT, or an UPDATE of its key columns) while
  // another deletes the anchor, changes its key or locks it FOR UPDATE (the check's KEY SHARE waits
  // for it, at the statement's end or at COMMIT for a deferred key), or holds a weaker lock or
  // updates other columns (the check does not wait). Every key column is set, so the check runs.
  const anchor = fc.constantFrom(ANCHORS[0], ...ANCHORS);
  const reference = { r2: 1, rp: 1 };
  const childRef = fc.oneof(
    {
      arbitrary: fc.record({ table: oneOf(children), row, k1: fc.constantFrom(3, 4, 5), r1: anchor }).map(
        ({ table, row: values, k1, r1 }): ProgramOp => ({
          kind: 'insert',
          table,
          rows: [{ ...values, k1, r1, ...reference }],
          options: {},
        }),
      ),
      weight: 2,
    },
    {
      arbitrary: fc.record({ table: oneOf(children), where, r1: anchor }).map(
        ({ table, where: condition, r1 }): ProgramOp => ({
          kind: 'update',
          table,
          set: { r1, ...reference },
          where: condition,
          options: {},
        }),
      ),
      weight: 1,
    },
  );
  const atAnchor = anchor.map((k1) => eq(col('k1'), k1));
  const parentWrite = fc
    .record({
      table: oneOf(parents),
      where: atAnchor,
      change: fc.constantFrom<'delete' | 'rekey' | 'data'>('delete', 'delete', 'rekey', 'rekey', 'data'),
    })
    .map(({ table, where: condition, change }): ProgramOp => {
      if (change === 'delete') return { kind: 'delete', table, where: condition, options: {} };
      const set: Readonly<Record<string, Expr>> =
        change === 'rekey' ? { k1: arithmetic('+', col('k1'), 10) } : { v: arithmetic('+', col('v'), 1) };
      return { kind: 'update', table, set, where: condition, options: {} };
    });
  const parentRead = fc
    .record({ table: oneOf(parents), where: atAnchor, strength: fc.constantFrom('UPDATE', ...ROW_LOCK_STRENGTHS) })
    .map(({ table, where: condition, strength }) =>
      sqlOnlyOp({ kind: 'lockingRead', table, where: condition, strength, wait: null }),
    );
  const deferAll = fc.constant<ProgramOp>({ kind: 'setConstraints', constraints: 'all', mode: 'deferred' });
  const crossTable = parents.length > 0;
  const setTimeout = fc.oneof(
    fc.constantFrom(...LOCK_TIMEOUTS_MS).map((ms) => sqlOnlyOp({ kind: 'setTimeout', setting: 'lock_timeout', ms })),
    fc
      .constantFrom(...DEADLOCK_TIMEOUTS_MS)
      .map((ms) => sqlOnlyOp({ kind: 'setTimeout', setting: 'deadlock_timeout', ms })),
  );
  const savepoint = fc.constantFrom<ProgramOp>(
    { kind: 'savepoint', name: 'sp' },
    { kind: 'rollbackToSavepoint', name: 'sp' },
    { kind: 'releaseSavepoint', name: 'sp' },
  );
  const has = (feature: SessionFeature): boolean => features.has(feature);
  const weighted = (entries: readonly (readonly [SessionFeature, fc.Arbitrary<SessionOp>, number])[]) =>
    fc.oneof(...entries.filter(([feature]) => has(feature)).map(([, arbitrary, weight]) => ({ arbitrary, weight })));
  const ddlStep = fc.oneof(...Object.values(ddl)).map(statementOp);
  const inTransaction = weighted([
    ['dml', dml.map(statementOp), 10],
    ['lockingReads', lockingRead, 4],
    ['lockTable', lockTable, 1],
    ...(crossTable
      ? ([
          ['lockTable', lockParent, 1],
          ['dml', childRef.map(statementOp), 4],
          ['dml', parentWrite.map(statementOp), 3],
          ['lockingReads', parentRead, 2],
        ] as const)
      : []),
    ...(crossTable && deferrable ? ([['transactions', deferAll.map(statementOp), 1]] as const) : []),
    ['ddl', ddlStep, 1],
    ['transactions', savepoint.map(statementOp), 1],
    ['timeouts', setTimeout, 1],
  ]);
  const autocommit = weighted([
    ['dml', dml.map(statementOp), 6],
    ...(crossTable
      ? ([
          ['dml', childRef.map(statementOp), 1],
          ['dml', parentWrite.map(statementOp), 1],
        ] as const)
      : []),
    ['ddl', ddlStep, 2],
    ['timeouts', setTimeout, 1],
  ]);
  const begin: fc.Arbitrary<SessionOp> = has('repeatableRead')
    ? fc.oneof(
        { arbitrary: fc.constant(statementOp({ kind: 'begin' })), weight: 2 },
        { arbitrary: fc.constant(sqlOnlyOp({ kind: 'beginIsolation', level: 'REPEATABLE READ' })), weight: 1 },
      )
    : fc.constant(statementOp({ kind: 'begin' }));
  const transaction = fc
    .record({
      begin,
      body: fc.array(inTransaction, { minLength: 2, maxLength: 4 }),
      end: fc.constantFrom<ProgramOp>({ kind: 'commit' }, { kind: 'commit' }, { kind: 'rollback' }),
    })
    .map(({ begin: first, body, end }): SessionOp[] => [first, ...body, statementOp(end)]);
  // Short transactions of the races of referencing rows with their referenced rows: one holds an
  // anchor (deleted, re-keyed, updated or locked) until it ends, the other writes rows pointing at
  // it and commits (its deferred checks, or all of them after SET CONSTRAINTS ALL DEFERRED, run then).
  // Nothing else runs in them, so no earlier error aborts the transaction and frees the anchor first.
  const hold = weighted([
    ['dml', parentWrite.map(statementOp), 1],
    ['lockingReads', parentRead, 1],
  ]);
  const holdAnchor = fc
    .record({
      holds: fc.array(hold, { minLength: 1, maxLength: 3 }),
      end: fc.constantFrom<ProgramOp>({ kind: 'commit' }, { kind: 'rollback' }),
    })
    .map(({ holds, end }): SessionOp[] => [statementOp({ kind: 'begin' }), ...holds, statementOp(end)]);
  const referAnchor = fc
    .record({
      mode: deferrable
        ? fc.constantFrom<ConstraintMode | null>(null, 'deferred', 'immediate')
        : fc.constant<ConstraintMode | null>(null),
      refs: fc.array(childRef.map(statementOp), { minLength: 1, maxLength: 3 }),
    })
    .map(({ mode, refs }): SessionOp[] => [
      statementOp({ kind: 'begin' }),
      ...(mode === null ? [] : [statementOp({ kind: 'setConstraints', constraints: 'all', mode })]),
      ...refs,
      statementOp({ kind: 'commit' }),
    ]);
  const races = crossTable && has('dml') && has('transactions');
  const block: fc.Arbitrary<SessionOp[]> = has('transactions')
    ? fc.oneof(
        { arbitrary: transaction, weight: 4 },
        { arbitrary: autocommit.map((op) => [op]), weight: 1 },
        ...(races
          ? [
              { arbitrary: holdAnchor, weight: 1 },
              { arbitrary: referAnchor, weight: 1 },
            ]
          : []),
      )
    : autocommit.map((op) => [op]);
  return { block, seedRow, race: races ? { hold: holdAnchor, refer: referAnchor } : null };
}

function keyOf(tables: readonly TableDesign[], table: string): readonly string[] {
  const owner =
    tables.find((candidate) => candidate.name === table) ??
    tables.find((candidate) => (candidate.partitions ?? []).some((partition) => partition.name === table));
  return owner?.key ?? ['k1'];
}

/**
 * A schema of two or more tables without a key between two of them gets one, `fk_s`,
 * from t1 to t0, deferred more often than the random schemas' keys: the races of referencing rows
 * with their referenced rows need such a key, and a deferred one makes the check wait at COMMIT.
 */
function sessionKeyArbitrary(
  tables: readonly TableDesign[],
  setup: readonly ProgramOp[],
): fc.Arbitrary<ProgramOp | null> {
  if (tables.length < 2 || crossTableKeys(setup).parents.length > 0) return fc.constant(null);
  return fc
    .record({
      onDelete: fc.constantFrom(...ACTIONS),
      onUpdate: fc.constantFrom(...ACTIONS),
      timing: fc.constantFrom<KeyTiming>('immediate', 'deferrable', 'initiallyDeferred', 'initiallyDeferred'),
    })
    .map(
      ({ onDelete, onUpdate, timing }): ProgramOp => ({
        kind: 'addConstraint',
        table: tables[1]!.name,
        constraint: foreignKey('fk_s', tables[1]!, tables[0]!, onDelete, onUpdate, false, timing),
      }),
    );
}

/** The arbitrary of programs of `sessions` sessions drawing only from `features`. */
export function sessionProgramArbitrary(
  sessions: number,
  features: ReadonlySet<SessionFeature>,
): fc.Arbitrary<{
  readonly tables: readonly TableDesign[];
  readonly schema: readonly ProgramOp[];
  readonly seedRows: readonly ProgramOp[];
  readonly sessions: readonly SessionOp[][][];
}> {
  return schemaArbitrary()
    .chain(({ tables, setup }) =>
      sessionKeyArbitrary(tables, setup).map((key) => ({ tables, setup: key === null ? setup : [...setup, key] })),
    )
    .chain(({ tables, setup }) => {
      const keys = crossTableKeys(setup);
      const { block, seedRow, race } = sessionArbitraries(tables, features, keys);
      // Three in four programs with such a key start with a race: the first session holds an anchor,
      // the second writes rows pointing at anchors; the schedule decides whether they meet.
      const opening: fc.Arbitrary<SessionOp[][] | null> =
        race === null || sessions < 2
          ? fc.constant(null)
          : fc.option(fc.tuple(race.hold, race.refer), { nil: null, freq: 4 });
      const seedRows = fc.tuple(
        ...tables.map((table) =>
          fc
            .array(seedRow, { minLength: 3, maxLength: 6 })
            .map((rows) => [
              ...(keys.parents.includes(table.name) ? anchorRows(table.name) : []),
              ...rows.map((row): ProgramOp => ({ kind: 'insert', table: table.name, rows: [row], options: {} })),
            ]),
        ),
      );
      return fc
        .tuple(
          seedRows,
          fc.tuple(...Array.from({ length: sessions }, () => fc.array(block, { minLength: 1, maxLength: 2 }))),
          opening,
        )
        .map(([rows, sessionBlocks, first]) => ({
          tables,
          schema: setup,
          seedRows: rows.flat(),
          sessions: sessionBlocks.map((blocks, index) => {
            const race = first?.[index];
            return race === undefined ? blocks : [race, ...blocks];
          }),
        }));
    });
}

/** A catalog view that stays as it was after the setup (steps add no columns and no partition keys). */
function frozenCatalog(db: Database): CatalogView {
  const live = catalogViewOf(db);
  const columns = new Map<string, readonly ColumnView[] | null>();
  const keys = new Map<string, string | null>();
  return {
    columns(table) {
      if (!columns.has(table)) columns.set(table, live.columns(table));
      return columns.get(table) ?? null;
    },
    partitionKey(table) {
      if (!keys.has(table)) keys.set(table, live.partitionKey(table));
      return keys.get(table) ?? null;
    },
  };
}

/**
 * Runs the schema and the seed rows on the engine: the schema must pass; seed rows it refuses
 * (a CHECK, a missing partition, a NULL key) are dropped. Returns the kept statements and their SQL.
 */
function settleSetup(
  schema: readonly ProgramOp[],
  seedRows: readonly ProgramOp[],
): { setup: ProgramOp[]; setupSql: string[]; catalog: CatalogView } {
  const db = new Database();
  const recorder = new StatementRecorder();
  recorder.attach(db);
  const setup: ProgramOp[] = [];
  const setupSql: string[] = [];
  for (const [index, op] of [...schema, ...seedRows].entries()) {
    const before = recorder.statements.length;
    try {
      if (op.kind === 'trigger') db.createTrigger(triggerSpecFor(op.use));
      else db.execute(op);
    } catch (error) {
      if (index < schema.length) throw error;
    }
    const recorded = recorder.statements.slice(before);
    if (recorded.length === 0 || recorded.some((statement) => statement.outcome.status !== 'ok')) continue;
    const sql = recorded.map((statement) => statement.sql);
    if (sql.some((text) => text === null)) throw new Error(`a setup statement has no SQL form: ${op.kind}`);
    setup.push(op);
    setupSql.push(sql.join(';\n'));
  }
  return { setup, setupSql, catalog: frozenCatalog(db) };
}

export interface GeneratedProgram {
  readonly program: RandomSessionProgram;
  /** Its SQL form for the permutation driver (permutations filled in by the scheduler). */
  readonly sql: SessionProgram;
}

/** Program `run` of the campaign with `seed`, over `sessions` sessions and the given features. */
export function generateSessionProgram(
  seed: number,
  run: number,
  sessions: number,
  features: ReadonlySet<SessionFeature>,
): GeneratedProgram {
  const [drawn] = fc.sample(sessionProgramArbitrary(sessions, features), { seed: runSeed(seed, run), numRuns: 1 });
  if (drawn === undefined) throw new Error('fast-check drew no program');
  const { setup, setupSql, catalog } = settleSetup(drawn.schema, drawn.seedRows);
  const sessionSetup: SessionOp[] = features.has('timeouts')
    ? [
        sqlOnlyOp({ kind: 'setTimeout', setting: 'deadlock_timeout', ms: SESSION_DEADLOCK_TIMEOUT_MS }),
        sqlOnlyOp({ kind: 'setTimeout', setting: 'lock_timeout', ms: SESSION_LOCK_TIMEOUT_MS }),
      ]
    : [];
  const randomSessions: RandomSession[] = drawn.sessions.map((blocks, index) => {
    const name = `s${index + 1}`;
    return {
      name,
      setup: sessionSetup,
      steps: blocks.flat().map((op, position) => ({ name: `${name}_${position + 1}`, op })),
    };
  });
  const program: RandomSessionProgram = {
    name: `sessions-${seed}-${run}`,
    setup,
    setupSql,
    sessions: randomSessions,
    tables: drawn.tables,
  };
  return { program, sql: renderProgram(program, catalog) };
}

/** The program as SQL for the driver, the isolation spec and the Node script. */
function renderProgram(program: RandomSessionProgram, catalog: CatalogView): SessionProgram {
  return {
    name: program.name,
    description: `random program ${program.name}: ${program.sessions.length} sessions over a random schema`,
    setup: program.setupSql,
    setupOps: program.setup,
    sessions: program.sessions.map((session) => ({
      name: session.name,
      setup: session.setup.map((op) => renderSessionOp(op, catalog)),
      setupOps: session.setup,
      steps: session.steps.map((step) => ({ name: step.name, sql: renderSessionOp(step.op, catalog), op: step.op })),
    })),
    permutations: [],
  };
}
