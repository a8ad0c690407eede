/**
 * Whether waiters wait for each other in a circle: a deadlock that some waiter's deadlock check will
 * break once its timer fires. Both session backends (the real server's and the engine's) read their
 * waits-for graph into this one check.
 */

/** Whether the waits-for graph among the given waiters (waiter → the waiters it waits for) has a cycle. */
export function hasCycle(waits: ReadonlyMap<number, readonly number[]>): boolean {
  const state = new Map<number, 'open' | 'closed'>();
  const visit = (waiter: number): boolean => {
    const seen = state.get(waiter);
    if (seen === 'open') return true;
    if (seen === 'closed') return false;
    state.set(waiter, 'open');
    for (const next of waits.get(waiter) ?? []) if (waits.has(next) && visit(next)) return true;
    state.set(waiter, 'closed');
    return false;
  };
  return [...waits.keys()].some(visit);
}
