/**
 * Ported from src/test/regress/sql/foreign_key.sql, first part: single- and multi-column keys on
 * ordinary tables, their referential actions, NULL handling and ALTER TABLE ADD FOREIGN KEY.
 * MATCH FULL is not modelled: cases that use it on one column are ported as MATCH SIMPLE (the
 * same semantics for one column); the oracle renders what the engine runs, so both sides agree
 * on what is being compared.
 */
import { and, col, eq } from '../../../engine/expression.js';
import type { RegressEntry } from '../regressCase.js';
import { regressCase, sourceIn, unsupported } from '../regressCase.js';
import { addConstraint, dropTable, foreignKey, insert, remove, select, table, unique, update } from '../sql.js';

const at = sourceIn('foreign_key.sql');

const pk1 = table('pktable', 'ptest1 int, ptest2 text', { primaryKey: ['ptest1'] });
const pkRows1 = [1, 2, 3, 4, 5].map((n) => insert('pktable', { ptest1: n, ptest2: `Test${n}` }));
const pk2 = table('pktable', 'ptest1 int, ptest2 int, ptest3 text', { primaryKey: ['ptest1', 'ptest2'] });
const pkRows2 = [
  [1, 2, 'Test1'],
  [1, 3, 'Test1-2'],
  [2, 4, 'Test2'],
  [3, 6, 'Test3'],
  [4, 8, 'Test4'],
  [5, 10, 'Test5'],
].map(([a, b, c]) => insert('pktable', { ptest1: a!, ptest2: b!, ptest3: c! }));
const pk3 = (uniqueOnly = false) =>
  table(
    'pktable',
    'ptest1 int, ptest2 int, ptest3 int, ptest4 text',
    uniqueOnly
      ? { constraints: [unique(['ptest1', 'ptest2', 'ptest3'])] }
      : { primaryKey: ['ptest1', 'ptest2', 'ptest3'] },
  );
const pkRows3 = [
  [1, 2, 3, 'test1'],
  [1, 3, 3, 'test2'],
  [2, 3, 4, 'test3'],
  [2, 4, 5, 'test4'],
].map(([a, b, c, d]) => insert('pktable', { ptest1: a!, ptest2: b!, ptest3: c!, ptest4: d! }));
const fkRows3 = [
  [1, 2, 3, 1],
  [null, 2, 3, 2],
  [2, null, 3, 3],
  [null, 2, 7, 4],
  [null, 3, 4, 5],
  [1, 2, 7, 6],
].map(([a, b, c, d]) => insert('fktable', { ftest1: a!, ftest2: b!, ftest3: c!, ftest4: d! }));
const fk3 = (onDelete?: 'cascade' | 'set null', onUpdate?: 'cascade' | 'set null') =>
  table('fktable', 'ftest1 int, ftest2 int, ftest3 int, ftest4 int', {
    constraints: [
      foreignKey(['ftest1', 'ftest2', 'ftest3'], 'pktable', undefined, {
        name: 'constrname3',
        ...(onDelete ? { onDelete } : {}),
        ...(onUpdate ? { onUpdate } : {}),
      }),
    ],
  });

export const foreignKeyBasicCases: readonly RegressEntry[] = [
  unsupported(at(5, '-- NOT ENFORCED'), 'not-enforced', 'NOT ENFORCED foreign keys (PostgreSQL 18) are not modelled'),
  regressCase(at(34, '-- MATCH FULL'), 'cascade-one-column', [
    pk1,
    table('fktable', 'ftest1 int, ftest2 int', {
      constraints: [foreignKey(['ftest1'], 'pktable', undefined, { onDelete: 'cascade', onUpdate: 'cascade' })],
    }),
    pkRows1,
    insert('fktable', [
      { ftest1: 1, ftest2: 2 },
      { ftest1: 2, ftest2: 3 },
      { ftest1: 3, ftest2: 4 },
      { ftest1: null, ftest2: 1 },
    ]),
    insert('fktable', { ftest1: 100, ftest2: 2 }),
    remove('pktable', eq(col('ptest1'), 1)),
    select('fktable'),
    update('pktable', { ptest1: 1 }, eq(col('ptest1'), 2)),
    select('fktable'),
    dropTable('fktable'),
    dropTable('pktable'),
  ]),
  regressCase(at(70, '-- check set NULL and table constraint on multiple columns'), 'set-null-two-columns', [
    pk2,
    table('fktable', 'ftest1 int, ftest2 int, ftest3 int', {
      constraints: [
        foreignKey(['ftest1', 'ftest2'], 'pktable', undefined, {
          name: 'constrname',
          onDelete: 'set null',
          onUpdate: 'set null',
        }),
      ],
    }),
    pkRows2,
    insert('fktable', [
      { ftest1: 1, ftest2: 2, ftest3: 4 },
      { ftest1: 1, ftest2: 3, ftest3: 5 },
      { ftest1: 2, ftest2: 4, ftest3: 8 },
      { ftest1: 3, ftest2: 6, ftest3: 12 },
      { ftest1: null, ftest2: null, ftest3: 0 },
    ]),
    insert('fktable', { ftest1: 100, ftest2: 2, ftest3: 4 }),
    insert('fktable', { ftest1: 2, ftest2: 2, ftest3: 4 }),
    insert('fktable', { ftest1: null, ftest2: 2, ftest3: 4 }),
    insert('fktable', { ftest1: 1, ftest2: null, ftest3: 4 }),
    remove('pktable', and(eq(col('ptest1'), 1), eq(col('ptest2'), 2))),
    select('fktable'),
    remove('pktable', and(eq(col('ptest1'), 5), eq(col('ptest2'), 10))),
    update('pktable', { ptest1: 1 }, eq(col('ptest1'), 2)),
    select('fktable'),
    update('fktable', { ftest1: null }, eq(col('ftest1'), 1)),
    update('fktable', { ftest1: 1 }, eq(col('ftest1'), 1)),
    dropTable('pktable', true),
    dropTable('fktable'),
  ]),
  unsupported(
    at(140, '-- check set default and table constraint on multiple columns'),
    'set-default',
    'ON DELETE/UPDATE SET DEFAULT is not modelled',
  ),
  regressCase(at(196, '-- First test, check with no on delete or on update'), 'no-action', [
    pk1,
    table('fktable', 'ftest1 int, ftest2 int', { constraints: [foreignKey(['ftest1'], 'pktable')] }),
    pkRows1,
    insert('fktable', [
      { ftest1: 1, ftest2: 2 },
      { ftest1: 2, ftest2: 3 },
      { ftest1: 3, ftest2: 4 },
      { ftest1: null, ftest2: 1 },
    ]),
    insert('fktable', { ftest1: 100, ftest2: 2 }),
    remove('pktable', eq(col('ptest1'), 1)),
    remove('pktable', eq(col('ptest1'), 5)),
    update('pktable', { ptest1: 0 }, eq(col('ptest1'), 2)),
    update('pktable', { ptest1: 0 }, eq(col('ptest1'), 4)),
    select('pktable'),
    dropTable('fktable'),
    dropTable('pktable'),
  ]),
  unsupported(at(246, '-- Check RLS'), 'row-level-security', 'roles, GRANT and row-level security are not modelled'),
  unsupported(at(275, '-- Check ACL'), 'acl', 'roles and privileges are not modelled'),
  regressCase(at(303, '-- Check initial check upon ALTER TABLE'), 'initial-check-on-add', [
    table('pktable', 'ptest1 int, ptest2 int', { primaryKey: ['ptest1', 'ptest2'] }),
    table('fktable', 'ftest1 int, ftest2 int'),
    insert('pktable', { ptest1: 1, ptest2: 2 }),
    insert('fktable', { ftest1: 1, ftest2: null }),
    addConstraint('fktable', foreignKey(['ftest1', 'ftest2'], 'pktable')),
    insert('fktable', { ftest1: 2, ftest2: 3 }),
    addConstraint('fktable', foreignKey(['ftest1', 'ftest2'], 'pktable', undefined, { notValid: true })),
    dropTable('fktable'),
    dropTable('pktable'),
  ]),
  regressCase(at(338, '-- Base test restricting update/delete'), 'match-simple-restrict', [
    pk3(),
    fk3(),
    pkRows3,
    fkRows3,
    update('pktable', { ptest2: 5 }, eq(col('ptest2'), 2)),
    update('pktable', { ptest1: 1 }, eq(col('ptest2'), 3)),
    remove('pktable', and(eq(col('ptest1'), 1), eq(col('ptest2'), 2), eq(col('ptest3'), 3))),
    remove('pktable', eq(col('ptest1'), 2)),
    select('pktable'),
    select('fktable'),
  ]),
  regressCase(at(372, '-- restrict with null values'), 'restrict-with-nulls', [
    pk3(true),
    table('fktable', 'ftest1 int, ftest2 int, ftest3 int, ftest4 int', {
      constraints: [
        foreignKey(['ftest1', 'ftest2', 'ftest3'], 'pktable', ['ptest1', 'ptest2', 'ptest3'], { name: 'constrname3' }),
      ],
    }),
    insert('pktable', { ptest1: 1, ptest2: 2, ptest3: 3, ptest4: 'test1' }),
    insert('pktable', { ptest1: 1, ptest2: 3, ptest3: null, ptest4: 'test2' }),
    insert('pktable', { ptest1: 2, ptest2: null, ptest3: 4, ptest4: 'test3' }),
    insert('fktable', { ftest1: 1, ftest2: 2, ftest3: 3, ftest4: 1 }),
    remove('pktable', eq(col('ptest1'), 2)),
    select('pktable'),
  ]),
  regressCase(at(391, '-- cascade update/delete'), 'cascade-three-columns', [
    pk3(),
    fk3('cascade', 'cascade'),
    pkRows3,
    fkRows3,
    update('pktable', { ptest2: 5 }, eq(col('ptest2'), 2)),
    update('pktable', { ptest1: 1 }, eq(col('ptest2'), 3)),
    remove('pktable', and(eq(col('ptest1'), 1), eq(col('ptest2'), 5), eq(col('ptest3'), 3))),
    remove('pktable', eq(col('ptest1'), 2)),
  ]),
  regressCase(at(436, '-- set null update / set default delete'), 'set-null-update', [
    pk3(),
    fk3(undefined, 'set null'),
    pkRows3,
    fkRows3,
    insert('fktable', { ftest1: 2, ftest2: 3, ftest3: 4, ftest4: 1 }),
    update('pktable', { ptest2: 5 }, eq(col('ptest2'), 2)),
    update('pktable', { ptest2: 2 }, and(eq(col('ptest2'), 3), eq(col('ptest1'), 1))),
    remove('pktable', and(eq(col('ptest1'), 2), eq(col('ptest2'), 3), eq(col('ptest3'), 4))),
    remove('pktable', eq(col('ptest2'), 5)),
  ]),
  regressCase(at(482, '-- set default update / set null delete'), 'set-null-delete', [
    pk3(),
    fk3('set null'),
    pkRows3,
    insert('pktable', { ptest1: 2, ptest2: -1, ptest3: 5, ptest4: 'test5' }),
    fkRows3,
    update('pktable', { ptest2: 10 }, eq(col('ptest2'), 4)),
    update('pktable', { ptest2: 2 }, and(eq(col('ptest2'), 3), eq(col('ptest1'), 1))),
    remove('pktable', and(eq(col('ptest1'), 2), eq(col('ptest2'), 3), eq(col('ptest3'), 4))),
    remove('pktable', eq(col('ptest2'), 2)),
  ]),
];
