import { assert } from '../../../src/engine/assert.js';
import { formatSql } from '../../../src/engine/sqlText.js';
import { raiseWarning } from '../notices.js';
import { GITLAB_PROBES } from '../probes.js';
import { idSequenceName } from '../tableSwap.js';
import { defineStep } from './defineStep.js';
import { mutated } from '../mutations.js';

/**
 * `ensure_unique_id(table, seq:)` (docs/semantics.md §f, `EnsureIdUniquenessForPCiRunners`): a partitioned table's
 * key is `(id, runner_type)`, so nothing stops two partitions from holding the same id. The
 * helper installs `assign_<table>_id_trigger`, BEFORE INSERT FOR EACH ROW, whose function warns
 * about a client-supplied id, ignores it and takes `nextval(seq)` instead. It also drops the id
 * column's default, so the trigger is the only source of ids (uniqueness_helpers.rb).
 */
export const MANUAL_ID_WARNING = 'Manually assigning ids is not allowed, the value will be ignored';

/** The PL/pgSQL text of each sequence's trigger function, rendered once: every run of a swap plan installs it. */
const functionBodies = new Map<string, string>();

/** The trigger function's body for `seq`; nextval() takes the sequence as text naming a (quoted) identifier: %L of %I, as format() would. */
function assignIdFunctionBody(seq: string): string {
  let body = functionBodies.get(seq);
  if (body === undefined) {
    body = [
      'BEGIN',
      'IF NEW."id" IS NOT NULL THEN',
      formatSql('  RAISE WARNING %L;', MANUAL_ID_WARNING),
      'END IF;',
      formatSql('NEW."id" := nextval(%L::regclass);', formatSql('%I', seq)),
      'RETURN NEW;',
      'END',
    ].join('\n');
    functionBodies.set(seq, body);
  }
  return body;
}

export const ensureUniqueId = defineStep({
  name: 'ensure_unique_id',
  description:
    "GitLab's ensure_unique_id: installs assign_<table>_id_trigger (BEFORE INSERT FOR EACH ROW), which ignores a client-supplied id with a warning and takes nextval(seq); drops the id column's default.",
  parameters: {
    fields: {
      table: {
        kind: 'string',
        refers: { kind: 'table' },
        description: 'The partitioned table whose ids must stay unique across partitions.',
      },
      seq: {
        kind: 'string',
        refers: { kind: 'sequence' },
        defaultText: "the sequence the swap left for the table's id (`<table>_id_seq`)",
        description: 'The sequence ids are taken from.',
      },
    },
    required: ['table'],
  },
  parse: (reader) => {
    const table = reader.identifier('table');
    return { table, seq: reader.identifier('seq', idSequenceName(table)) };
  },
  run: (world, { table, seq }) => {
    const { db } = world;
    const triggerName = `assign_${table}_id_trigger`;
    if (db.hasTrigger(table, triggerName))
      return { summary: `ensure_unique_id ${table}: ${triggerName} already exists, skipping`, applied: false };
    const functionName = `assign_${table}_id_value`;
    db.transaction((tx) => {
      tx.setColumnDefault(table, 'id', undefined);
      tx.createTrigger({
        name: triggerName,
        table,
        timing: 'before',
        events: ['insert'],
        functionName,
        functionBody: assignIdFunctionBody(seq),
        fn: (context) => {
          assert(context.newRow !== null, 'a BEFORE INSERT trigger sees NEW');
          if (context.newRow['id'] !== null && context.newRow['id'] !== undefined) {
            raiseWarning(context.db, MANUAL_ID_WARNING);
            world.probes.hit(GITLAB_PROBES.clientIdIgnored);
          }
          // The mutant keeps a client-supplied id after warning about it.
          const kept =
            mutated('ensure-unique-id-keeps-client-id') &&
            context.newRow['id'] !== null &&
            context.newRow['id'] !== undefined;
          return kept ? context.newRow : { ...context.newRow, id: context.db.nextval(seq) };
        },
      });
    });
    return {
      summary: `ensure_unique_id ${table}: ${triggerName} assigns nextval('${seq}') to every inserted row`,
      applied: true,
    };
  },
});
