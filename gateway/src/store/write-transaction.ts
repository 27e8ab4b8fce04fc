import type { Db } from './database.js';

/**
 * Runs a function in a transaction that takes the write lock before its first read (BEGIN
 * IMMEDIATE): no other connection can change what it read and validated before it commits, and
 * WAL never has to refuse a reader's upgrade to writer.
 */
export function writeTransaction(db: Db): <T>(fn: () => T) => T {
  const run = db.transaction((fn: () => unknown) => fn());
  return <T>(fn: () => T) => run.immediate(fn) as T;
}
