/**
 * The Kysely instances whose MySQL pool makes every session READ COMMITTED when it opens (those
 * `createKyselyFromUrl` creates), so their repositories need no `SET TRANSACTION` per transaction.
 * @module
 */
const instances = new WeakSet<object>();

/** Records that every pooled session of `db` is READ COMMITTED. */
export function markReadCommittedSessions(db: object): void {
  instances.add(db);
}

/** Whether {@link markReadCommittedSessions} recorded `db`. */
export function hasReadCommittedSessions(db: object): boolean {
  return instances.has(db);
}
