/** The `table` parameter of partitioning steps: a source table the world's catalog can partition. */
import type { FieldSpec } from '../../../src/harness/fieldSpec.js';
import type { MigrationCatalog } from '../migrationWorld.js';
import type { PartitionedCopySpec } from '../partitionedCopySpec.js';
import type { ParameterReader } from '../parameters.js';

/** The declaration of the `table` parameter: one of the catalog's partitionable tables. */
export function partitionedSourceField(catalog: MigrationCatalog): FieldSpec {
  return {
    kind: 'enum',
    values: [...catalog.partitionedCopies.keys()],
    description:
      "A table with a partitioned-copy definition (the copy's name, partitions, sync trigger and backfill job come from it).",
  };
}

export function readPartitionedSource(
  reader: ParameterReader,
  catalog: MigrationCatalog,
  field = 'table',
): PartitionedCopySpec {
  const table = reader.oneOf(field, [...catalog.partitionedCopies.keys()]);
  const spec = catalog.partitionedCopies.get(table);
  if (spec === undefined) return reader.fail(`field "${field}" must name a table with a partitioned-copy definition`);
  return spec;
}
