import type { Database } from '../database.js';
import type { StatementCall } from './statementEvent.js';

/** Runs one structured statement on a database: the inverse of the listener's capture. */
export function applyCall(db: Database, call: StatementCall): void {
  switch (call.kind) {
    case 'insert': db.insert(call.table, call.rows, call.options); return;
    case 'update': db.update(call.table, call.set, call.where, call.options); return;
    case 'delete': db.delete(call.table, call.where, call.options); return;
    case 'select': db.select(call.table, call.options); return;
    case 'nextval': db.nextval(call.sequence); return;
    case 'setval': db.setval(call.sequence, call.value); return;
    case 'createTable': db.createTable(call.spec); return;
    case 'dropTable': db.dropTable(call.name, call.options); return;
    case 'renameTable': db.renameTable(call.name, call.newName); return;
    case 'addColumn': db.addColumn(call.table, call.column, call.options); return;
    case 'dropColumn': db.dropColumn(call.table, call.column, call.options); return;
    case 'setColumnDefault': db.setColumnDefault(call.table, call.column, call.value); return;
    case 'setColumnNotNull': db.setColumnNotNull(call.table, call.column, call.notNull); return;
    case 'addConstraint': db.addConstraint(call.table, call.constraint); return;
    case 'validateConstraint': db.validateConstraint(call.table, call.name); return;
    case 'dropConstraint': db.dropConstraint(call.table, call.name, call.options); return;
    case 'renameConstraint': db.renameConstraint(call.table, call.name, call.newName); return;
    case 'createIndex': db.createIndex(call.spec); return;
    case 'dropIndex': db.dropIndex(call.name, call.options); return;
    case 'renameIndex': db.renameIndex(call.name, call.newName); return;
    case 'attachPartition': db.attachPartition(call.parent, call.partition, call.values); return;
    case 'detachPartition': db.detachPartition(call.parent, call.partition); return;
    case 'createTrigger': db.createTrigger(call.spec); return;
    case 'dropTrigger': db.dropTrigger(call.table, call.name, call.options); return;
    case 'enableTrigger': db.enableTrigger(call.table, call.name); return;
    case 'disableTrigger': db.disableTrigger(call.table, call.name); return;
    case 'createSequence': db.createSequence(call.name, call.options); return;
    case 'dropSequence': db.dropSequence(call.name); return;
    case 'renameSequence': db.renameSequence(call.name, call.newName); return;
    case 'setSequenceOwner': db.setSequenceOwner(call.sequence, call.owner); return;
    case 'begin': db.begin(); return;
    case 'commit': db.commit(); return;
    case 'rollback': db.rollback(); return;
    case 'savepoint': db.savepoint(call.name); return;
    case 'rollbackToSavepoint': db.rollbackToSavepoint(call.name); return;
    case 'releaseSavepoint': db.releaseSavepoint(call.name); return;
  }
}
