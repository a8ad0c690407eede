import { PARTITIONED_COPIES } from '../../runners/partitionedCopies.js';
import type { PartitionedCopySpec } from '../../runners/partitionedCopies.js';
import type { ParameterReader } from '../parameters.js';

/** The `table` parameter of partitioning steps: a source table GitLab's registry knows. */
export function readPartitionedSource(reader: ParameterReader, field = 'table'): PartitionedCopySpec {
  const table = reader.string(field);
  const spec = PARTITIONED_COPIES.get(table);
  if (spec === undefined) reader.fail(`field "${field}" must name a table with a partitioned-copy definition (${[...PARTITIONED_COPIES.keys()].map((name) => `"${name}"`).join(', ')}), got "${table}"`);
  return spec;
}
