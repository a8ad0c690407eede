/**
 * The runners world's invariants, with stable ids that plans name in `expect` and `invariants`.
 * Each reads the database through full scans (`db.rows`) and the world's recorded history.
 */
import type { Invariant, Violation } from '../src/harness/domain.js';
import type { Row } from '../src/engine/values.js';
import type { RunnersWorld } from '../model/runners/world.js';
import {
  copyEqualsSourceWherePresent,
  copySubsetOfSource,
  migrationsSucceed,
  validatedChecksHold,
  validatedForeignKeysHold,
} from './migrationInvariants.js';
import { byId } from './rowsById.js';
import { looseForeignKeyInvariants } from './looseForeignKeyInvariants.js';
import { ownerInvariants } from './ownerInvariants.js';
import { runnerLifecycleInvariants } from './runnerLifecycleInvariants.js';
import { copyKeepsCopiedRows } from './copyKeepsCopiedRows.js';
import { rolloutInvariants } from './rolloutInvariants.js';
import { checkKey, unlessUnchanged } from './unchangedInputs.js';
import { violation } from './violation.js';
import { apiWaitsBounded } from './concurrencyInvariants.js';
import { RUNNER_TAGGINGS } from '../model/runners/taggings/taggingsSchema.js';
import { MANAGER_KEPT_DELETED_OWNER, TAGGING_KEPT_DELETED_OWNER } from '../model/runners/knownRaces.js';
import { reownedBeforeEvent } from '../model/runners/reownedBeforeEvent.js';

/** GitLab's runner backfills copy instance runners and rows with a sharding key (docs/semantics.md §a.1). */
export function isCopyableBySharding(row: Row): boolean {
  return row.runner_type === 1 || row.sharding_key_id !== null;
}

const VERIFY = 'POST /runners/verify';

export const runnersInvariants: readonly Invariant<RunnersWorld>[] = [
  validatedForeignKeysHold,
  validatedChecksHold,
  {
    id: 'api-never-500',
    sentence: 'No API request answers 500 because the database raised an error.',
    scope: 'always',
    check: (world) => {
      // A 500 of a known race (a cause a verdict may accept) must not hide another 500.
      const failed =
        world.responses.find((response) => response.status === 500 && response.cause === undefined) ??
        world.responses.find((response) => response.status === 500);
      if (failed === undefined) return null;
      const runner = failed.runnerId === null ? '' : ` for runner ${failed.runnerId}`;
      const found = violation(
        'api-never-500',
        `${failed.endpoint}${runner} answered 500: ${failed.error ? `${failed.error.code} ${failed.error.message}` : failed.summary}`,
      );
      return failed.cause === undefined ? found : { ...found, cause: failed.cause };
    },
  },
  {
    id: 'verify-ensures-manager',
    sentence:
      'POST /runners/verify of a runner that still exists never answers 404: ensure_manager finds or creates its manager (docs/semantics.md §d.1).',
    scope: 'always',
    check: (world) => {
      const refused = world.responses.filter((response) => response.endpoint === VERIFY && response.status === 404);
      if (refused.length === 0) return null;
      const live = new Set(world.db.rows('ci_runners').map((row) => row.id));
      const lost = refused.find((response) => response.runnerId !== null && live.has(response.runnerId));
      return lost === undefined
        ? null
        : violation('verify-ensures-manager', `${VERIFY} for runner ${lost.runnerId} answered 404: ${lost.summary}`);
    },
  },
  apiWaitsBounded,
  migrationsSucceed,
  copySubsetOfSource,
  copyEqualsSourceWherePresent,
  {
    id: 'copy-complete-after-backfill',
    sentence:
      'Once a backfill has finished, every copyable source row is in the copy (docs/semantics.md, invariant 5).',
    scope: 'always',
    check: (world) => {
      for (const pair of world.syncPairs) {
        if (!world.backfillFinishedAt.has(pair.source) || !world.db.hasTable(pair.copy)) continue;
        // Skipped while both tables are as it last passed them (unchangedInputs.ts).
        const inputs = [world.db.rows(pair.copy), world.db.rows(pair.source)];
        const found = unlessUnchanged(world, checkKey('copy-complete-after-backfill', pair.copy), inputs, () => {
          const copied = byId(world.db.rows(pair.copy));
          const missing = world.db
            .rows(pair.source)
            .find((row) => isCopyableBySharding(row) && !copied.has(row.id as number));
          return missing === undefined
            ? null
            : violation(
                'copy-complete-after-backfill',
                `${pair.source} id=${String(missing.id)} (runner_type ${String(missing.runner_type)}, sharding_key_id ${String(missing.sharding_key_id)}) is missing from ${pair.copy} although its backfill finished`,
              );
        });
        if (found !== null) return found;
      }
      return null;
    },
  },
  {
    id: 'manager-matches-runner',
    sentence:
      "Every runner manager carries its runner's runner_type, and the same sharding key where both have one (docs/semantics.md, invariant 11).",
    scope: 'quiescence',
    check: (world) => {
      const runners = byId(world.db.rows('ci_runners'));
      let explained: Violation | null = null;
      for (const manager of world.db.rows('ci_runner_machines')) {
        const runner = runners.get(manager.runner_id as number);
        if (runner === undefined)
          return violation(
            'manager-matches-runner',
            `manager ${String(manager.id)} references runner ${String(manager.runner_id)}, which does not exist`,
          );
        if (manager.runner_type !== runner.runner_type) {
          return violation(
            'manager-matches-runner',
            `manager ${String(manager.id)} has runner_type ${String(manager.runner_type)} but runner ${String(runner.id)} has ${String(runner.runner_type)}`,
          );
        }
        if (
          manager.sharding_key_id !== null &&
          runner.sharding_key_id !== null &&
          manager.sharding_key_id !== runner.sharding_key_id
        ) {
          const found = violation(
            'manager-matches-runner',
            `manager ${String(manager.id)} has sharding_key_id ${String(manager.sharding_key_id)} but runner ${String(runner.id)} has ${String(runner.sharding_key_id)}`,
          );
          // A mismatch the known race explains is reported only when no other one exists (accepting the cause accepts it alone).
          if (reownedBeforeEvent(world, runner.id as number, manager.sharding_key_id as number) === null) return found;
          explained ??= { ...found, cause: MANAGER_KEPT_DELETED_OWNER };
        }
      }
      return explained;
    },
  },
  {
    id: 'tagging-matches-runner',
    sentence:
      "Every runner tagging carries its runner's runner_type, and the same sharding key where both have one (docs/semantics.md, invariant 11).",
    scope: 'quiescence',
    check: (world) => {
      const runners = byId(world.db.rows('ci_runners'));
      let explained: Violation | null = null;
      for (const tagging of world.db.rows(RUNNER_TAGGINGS)) {
        const runner = runners.get(tagging.runner_id as number);
        if (runner === undefined) continue;
        if (tagging.runner_type !== runner.runner_type) {
          return violation(
            'tagging-matches-runner',
            `tagging ${String(tagging.id)} of runner ${String(runner.id)} has runner_type ${String(tagging.runner_type)} but the runner has ${String(runner.runner_type)}`,
          );
        }
        if (
          tagging.sharding_key_id !== null &&
          runner.sharding_key_id !== null &&
          tagging.sharding_key_id !== runner.sharding_key_id
        ) {
          const found = violation(
            'tagging-matches-runner',
            `tagging ${String(tagging.id)} of runner ${String(runner.id)} has sharding_key_id ${String(tagging.sharding_key_id)} but the runner has ${String(runner.sharding_key_id)}`,
          );
          if (reownedBeforeEvent(world, runner.id as number, tagging.sharding_key_id as number) === null) return found;
          explained ??= { ...found, cause: TAGGING_KEPT_DELETED_OWNER };
        }
      }
      return explained;
    },
  },
  ...runnerLifecycleInvariants,
  ...ownerInvariants,
  ...looseForeignKeyInvariants,
  copyKeepsCopiedRows,
  ...rolloutInvariants,
];
