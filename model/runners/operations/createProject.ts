import fc from 'fast-check';
import type { JsonObject, OperationKind } from '../../../src/harness/domain.js';
import { integerField, pickByIndex } from '../records.js';
import { NAMESPACES, PROJECTS } from '../schema.js';
import type { RunnersWorld } from '../world.js';
import { natArg } from './args.js';
import { notApplied, runRequest } from './request.js';

/** `POST /projects` in one of the namespaces; ids come from the sequence, so a deleted project's id never returns. */
export const createProject: OperationKind<RunnersWorld> = {
  name: 'createProject',
  description:
    'POST /projects in a namespace (needs the "projectDeletion" workload). group: index into the namespaces.',
  args: fc.record({ group: fc.nat(2) }),
  run(world: RunnersWorld, args: JsonObject) {
    if (!world.workers.workloads.has('projectDeletion'))
      return notApplied('POST /projects', "not in this plan's workloads");
    const namespaces = world.db
      .rows(NAMESPACES)
      .map((row) => integerField(row, 'id'))
      .sort((left, right) => left - right);
    const namespaceId = pickByIndex(namespaces, natArg(args, 'group'));
    if (namespaceId === undefined) return notApplied('POST /projects', 'no namespace');
    return runRequest(world, {
      endpoint: 'POST /projects',
      description: `POST /projects in namespace ${namespaceId}`,
      runnerId: null,
      writes: [],
      handle: (db) => {
        const [created] = db.insert(PROJECTS, { namespace_id: namespaceId });
        return { status: 201, note: `project ${String(created?.['id'])}` };
      },
    });
  },
};
