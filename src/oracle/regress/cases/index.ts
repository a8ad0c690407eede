/** Every ported regression case, in the order of PostgreSQL's files. */
import type { RegressEntry } from '../regressCase.js';
import { foreignKeyBasicCases } from './foreignKeyBasics.js';
import { foreignKeyPartitionCases } from './foreignKeyPartitions.js';

export const REGRESS_CASES: readonly RegressEntry[] = [
  ...foreignKeyBasicCases,
  ...foreignKeyPartitionCases,
];
