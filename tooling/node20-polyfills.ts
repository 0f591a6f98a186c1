/**
 * Vitest 5's reporter calls `Map.groupBy` (Node 21+) when it prints failed tests; on Node 20 that
 * crash hides the failure itself. Every package's vitest.config.ts imports this file, so it runs
 * in the main process, where reporters run.
 */
const MapWithGroupBy = Map as unknown as { groupBy?: unknown };
if (typeof MapWithGroupBy.groupBy !== 'function') {
  MapWithGroupBy.groupBy = <T, K>(items: Iterable<T>, keyOf: (item: T, index: number) => K): Map<K, T[]> => {
    const groups = new Map<K, T[]>();
    let index = 0;
    for (const item of items) {
      const key = keyOf(item, index++);
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    return groups;
  };
}
export {};
