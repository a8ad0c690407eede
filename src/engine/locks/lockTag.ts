import { assert } from '../assert.js';

/**
 * What a heavyweight lock is taken on (PostgreSQL's LOCKTAG, for the three kinds the engine uses):
 * a relation, a transaction id (a row waiter waits for the row's locker or writer by taking
 * ShareLock on its xid, which that transaction holds in ExclusiveLock), and a tuple (the lock that
 * orders row-lock waiters on one row). A tag is keyed by a number in maps, named by a string in
 * messages and described as PostgreSQL's `DescribeLockTag` does, for deadlock reports.
 */
export type LockTag =
  | { readonly kind: 'relation'; readonly oid: number }
  | { readonly kind: 'transaction'; readonly xid: number }
  | { readonly kind: 'tuple'; readonly oid: number; readonly tid: number };

/** A stable map key for a tag. */
export function tagKey(tag: LockTag): string {
  switch (tag.kind) {
    case 'relation':
      return `r${tag.oid}`;
    case 'transaction':
      return `x${tag.xid}`;
    case 'tuple':
      return `t${tag.oid}:${tag.tid}`;
  }
}

/** Bounds that keep every tag's number (`tagNumber`) a distinct safe integer. */
const MAX_TAG_OID = 2 ** 21;
const MAX_TAG_TID = 2 ** 28;

/**
 * A tag as a number, distinct for distinct tags: the lock manager's maps are keyed by it. A lock
 * request names its tag as a fresh object, so a string key (`tagKey`) is a new string to build and
 * hash on every request, while a number is neither; the kind is the number's two low bits.
 */
export function tagNumber(tag: LockTag): number {
  switch (tag.kind) {
    case 'relation':
      assert(Number.isSafeInteger(tag.oid) && tag.oid >= 0 && tag.oid < MAX_TAG_OID, `bad lock tag oid ${tag.oid}`);
      return tag.oid * 4;
    case 'transaction':
      assert(Number.isSafeInteger(tag.xid) && tag.xid >= 0 && tag.xid < 2 ** 50, `bad lock tag xid ${tag.xid}`);
      return tag.xid * 4 + 1;
    case 'tuple':
      assert(Number.isSafeInteger(tag.oid) && tag.oid >= 0 && tag.oid < MAX_TAG_OID, `bad lock tag oid ${tag.oid}`);
      assert(Number.isSafeInteger(tag.tid) && tag.tid >= 0 && tag.tid < MAX_TAG_TID, `bad lock tag tid ${tag.tid}`);
      return (tag.oid * MAX_TAG_TID + tag.tid) * 4 + 2;
  }
}

/**
 * `DescribeLockTag` of lmgr.c: `relation 16384 of database 5`, `transaction 750`,
 * `tuple (0,3) of relation 16384 of database 5`. The engine's tuple ids are one number, printed as
 * the offset on block 0.
 */
export function describeTag(tag: LockTag, databaseOid: number): string {
  switch (tag.kind) {
    case 'relation':
      return `relation ${tag.oid} of database ${databaseOid}`;
    case 'transaction':
      return `transaction ${tag.xid}`;
    case 'tuple':
      return `tuple (0,${tag.tid}) of relation ${tag.oid} of database ${databaseOid}`;
  }
}
