import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConstraintInfo, Database } from '../../src/database.js';
import { col, eq, gt } from '../../src/engine/expression.js';
import type { Row } from '../../src/engine/values.js';
import { checkValidatedChecks } from '../../properties/checkInvariant.js';
import { checkValidatedForeignKeys } from '../../properties/foreignKeyInvariant.js';
import { checkJoinTableTyping } from '../../properties/shardingKeyInvariants.js';
import { setIncrementalChecks } from '../../properties/unchangedInputs.js';
import { RUNNERS_KEEP_AUTHENTICATING, runnerLifecycleInvariants } from '../../properties/runnerLifecycleInvariants.js';
import { createRunnersWorld } from '../../model/runners/world.js';
import { RUNNER_PROJECTS, RUNNERS } from '../../model/runners/schema.js';

/**
 * The incremental checks no scenario breaks, because the engine enforces valid keys and CHECKs
 * itself: fed a database whose tables change (or stay the very same arrays) step by step, the
 * incremental answer after each step equals a full scan's. The database is a stand-in holding
 * exactly the catalog and rows the checks read, so that it can hold what the engine refuses.
 */
class TablesOnly {
  catalog: readonly ConstraintInfo[] = [];
  readonly tables = new Map<string, readonly Row[]>();

  constraints(): readonly ConstraintInfo[] {
    return this.catalog;
  }

  /** As `Database.constraintsOfKind`: the catalog's constraints of one kind, in catalog order. */
  constraintsOfKind(kind: ConstraintInfo['kind']): readonly ConstraintInfo[] {
    return this.catalog.filter((constraint) => constraint.kind === kind);
  }

  rows(table: string): readonly Row[] {
    return this.tables.get(table) ?? [];
  }

  private stamp: { readonly content: readonly unknown[]; readonly token: object } | null = null;

  /** As `Database.contentStamp`: the same object while the catalog and every table are the same objects. */
  contentStamp(): object {
    const content = [this.catalog, ...this.tables.values()];
    const same =
      this.stamp !== null &&
      this.stamp.content.length === content.length &&
      content.every((part, index) => part === this.stamp!.content[index]);
    if (!same) this.stamp = { content, token: {} };
    return this.stamp!.token;
  }
}

function foreignKey(valid: boolean): ConstraintInfo {
  return {
    name: 'fk_child_parent',
    kind: 'foreignKey',
    table: 'child',
    valid,
    columns: ['parent_id'],
    referencedTable: 'parent',
    referencedColumns: ['id'],
    onDelete: 'no action',
    onUpdate: 'no action',
    checkSql: null,
    checkExpr: null,
    inheritedFrom: null,
    deferrable: false,
    initiallyDeferred: false,
  };
}

function positiveCheck(valid: boolean): ConstraintInfo {
  return {
    ...foreignKey(valid),
    name: 'check_amount',
    kind: 'check',
    table: 'child',
    checkSql: 'amount > 0',
    checkExpr: gt({ kind: 'column', name: 'amount' }, 0),
    columns: [],
    referencedTable: null,
    referencedColumns: [],
  };
}

/** One step: each table and the catalog either stay the very same objects or are replaced. */
const stepArbitrary = fc.record({
  parent: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }), { nil: undefined }),
  child: fc.option(
    fc.array(
      fc.record({ parent_id: fc.option(fc.integer({ min: 1, max: 5 })), amount: fc.integer({ min: -1, max: 2 }) }),
      {
        maxLength: 4,
      },
    ),
    { nil: undefined },
  ),
  valid: fc.option(fc.boolean(), { nil: undefined }),
});

afterEach(() => setIncrementalChecks(true));

describe('incremental checks of valid keys and CHECKs answer as full scans do', () => {
  it('over random sequences of table states', () => {
    let violations = 0;
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 12 }), (steps) => {
        const db = new TablesOnly();
        const asDatabase = db as unknown as Database;
        for (const step of steps) {
          if (step.parent !== undefined) db.tables.set('parent', Object.freeze(step.parent.map((id) => ({ id }))));
          if (step.child !== undefined)
            db.tables.set('child', Object.freeze(step.child.map((row, index) => ({ id: index + 1, ...row }))));
          if (step.valid !== undefined) db.catalog = [foreignKey(step.valid), positiveCheck(step.valid)];
          for (const check of [checkValidatedForeignKeys, checkValidatedChecks]) {
            setIncrementalChecks(true);
            const incremental = check(asDatabase);
            setIncrementalChecks(false);
            const full = check(asDatabase);
            expect(incremental).toEqual(full);
            if (full !== null) violations++;
          }
        }
      }),
      { seed: 13, numRuns: 400 },
    );
    expect(violations).toBeGreaterThan(0);
  });
});

describe('incremental join-table typing answers as a full scan does', () => {
  it('notices a link written after it last passed', () => {
    const world = createRunnersWorld({});
    const [runner] = world.db.insert(RUNNERS, { runner_type: 2, token: 'group-runner', sharding_key_id: 1 });
    expect(checkJoinTableTyping(world)).toBeNull();
    expect(checkJoinTableTyping(world)).toBeNull();
    world.db.insert(RUNNER_PROJECTS, { runner_id: runner!['id'] ?? null, project_id: 1 });
    const incremental = checkJoinTableTyping(world);
    setIncrementalChecks(false);
    expect(incremental).not.toBeNull();
    expect(incremental).toEqual(checkJoinTableTyping(world));
  });
});

describe('incremental runner invariants answer as full comparisons do', () => {
  const keepAuthenticating = runnerLifecycleInvariants.find(
    (invariant) => invariant.id === RUNNERS_KEEP_AUTHENTICATING,
  )!;

  /** Deletes the one runner and inserts another in the same step, so ci_runners keeps its size. */
  function replacedRunnerAnswer(incremental: boolean): string | null {
    setIncrementalChecks(incremental);
    const world = createRunnersWorld({});
    world.db.insert(RUNNERS, { runner_type: 1, token: 'instance-runner' });
    world.currentStep = 1;
    expect(keepAuthenticating.check(world)).toBeNull();
    world.db.delete(RUNNERS, eq(col('token'), 'instance-runner'));
    world.db.insert(RUNNERS, { runner_type: 1, token: 'another-runner' });
    world.currentStep = 2;
    return keepAuthenticating.check(world)?.message ?? null;
  }

  it('notice a runner replaced by another in one step', () => {
    const incremental = replacedRunnerAnswer(true);
    expect(incremental).toContain('token instance-runner');
    expect(incremental).toEqual(replacedRunnerAnswer(false));
  });
});
