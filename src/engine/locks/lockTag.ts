/**
 * What a heavyweight lock is taken on (PostgreSQL's LOCKTAG, for the three kinds the engine uses):
 * a relation, a transaction id (a row waiter waits for the row's locker or writer by taking
 * ShareLock on its xid, which that transaction holds in ExclusiveLock), and a tuple (the lock that
 * orders row-lock waiters on one row). A tag is keyed by a string for maps and described as
 * PostgreSQL's `DescribeLockTag` does, for deadlock reports.
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
