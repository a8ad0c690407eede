import type { OperationKind } from '../../../src/harness/domain.js';
import type { RunnersWorld } from '../world.js';
import { assignRunnerToProject } from './assignRunnerToProject.js';
import { backgroundTick } from './backgroundTick.js';
import { createRunner } from './createRunner.js';
import { deleteRunner } from './deleteRunner.js';
import { legacyCreateManager } from './legacyCreateManager.js';
import { legacyCreateRunner } from './legacyCreateRunner.js';
import { managerHeartbeat } from './managerHeartbeat.js';
import { runnerHeartbeat } from './runnerHeartbeat.js';
import { unassignRunnerFromProject } from './unassignRunnerFromProject.js';
import { verifyRunner } from './verifyRunner.js';
import { createProject } from './createProject.js';
import { deleteProject } from './deleteProject.js';
import { deleteTag } from './deleteTag.js';
import { looseForeignKeysCleanupTick } from './looseForeignKeysCleanupTick.js';
import { ownerWorkerTick } from './ownerWorkerTick.js';
import { tagRunner } from './tagRunner.js';
import { changeRunnerType } from './changeRunnerType.js';
import { longReader, longRunnerJob } from './longTransactions.js';

/** Data that exists before the plan: runners (some orphaned) and their managers. */
export const runnerLegacyOperations: OperationKind<RunnersWorld>[] = [legacyCreateRunner, legacyCreateManager];

/** Application requests and background ticks interleaved with the plan's steps. */
export const runnerTrafficOperations: OperationKind<RunnersWorld>[] = [
  createRunner,
  assignRunnerToProject,
  unassignRunnerFromProject,
  deleteRunner,
  runnerHeartbeat,
  managerHeartbeat,
  verifyRunner,
  backgroundTick,
  createProject,
  deleteProject,
  ownerWorkerTick,
  tagRunner,
  deleteTag,
  looseForeignKeysCleanupTick,
  changeRunnerType,
  longRunnerJob,
  longReader,
];

/** Traffic operations that are background jobs rather than requests: they answer no API response. */
export const backgroundOperationNames: readonly string[] = [
  backgroundTick.name,
  ownerWorkerTick.name,
  looseForeignKeysCleanupTick.name,
  longRunnerJob.name,
  longReader.name,
];
