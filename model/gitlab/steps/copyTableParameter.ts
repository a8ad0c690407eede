/** The `table` parameter of partitioning steps: a source table the world's catalog can partition. */
import type { MigrationCatalog } from '../migrationWorld.js';
import type { PartitionedCopySpec } from '../partitionedCopySpec.js';
import type { ParameterReader } from '../parameters.js';

export function readPartitionedSource(
  reader: ParameterReader,
  catalog: MigrationCatalog,
  field = 'table',
): PartitionedCopySpec {
  const table = reader.string(field);
  const spec = catalog.partitionedCopies.get(table);
  if (spec === undefined)
    reader.fail(
      `field "${field}" must name a table with a partitioned-copy definition (${[...catalog.partitionedCopies.keys()].map((name) => `"${name}"`).join(', ')}), got "${table}"`,
    );
  return spec;
}
