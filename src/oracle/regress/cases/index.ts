/** Every ported regression case, in the order of PostgreSQL's files. */
import type { RegressEntry } from '../regressCase.js';
import { foreignKeyBasicCases } from './foreignKeyBasics.js';
import { foreignKeyPartitionCases } from './foreignKeyPartitions.js';
import { constraintCases } from './constraints.js';
import { notNullConstraintCases } from './notNullConstraints.js';
import { updateCases } from './update.js';
import { insertConflictCases } from './insertConflict.js';
import { triggerCases } from './triggers.js';
import { alterTableCases } from './alterTable.js';
import { alterTableConstraintCases } from './alterTableConstraints.js';
import { gitlabHelperCases } from './gitlabHelpers.js';
import { truncateCases } from './truncate.js';
import { backfillStatementCases } from './backfillStatements.js';
import { createIndexCases } from './createIndex.js';
import { indexingCases } from './indexing.js';
import { usingIndexCases } from './usingIndex.js';
import { triggerCascadeCases } from './triggerCascades.js';

export const REGRESS_CASES: readonly RegressEntry[] = [
  ...foreignKeyBasicCases,
  ...foreignKeyPartitionCases,
  ...constraintCases,
  ...notNullConstraintCases,
  ...updateCases,
  ...insertConflictCases,
  ...triggerCases,
  ...triggerCascadeCases,
  ...alterTableCases,
  ...alterTableConstraintCases,
  ...gitlabHelperCases,
  ...truncateCases,
  ...backfillStatementCases,
  ...createIndexCases,
  ...indexingCases,
  ...usingIndexCases,
];
