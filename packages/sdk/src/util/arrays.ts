/** Small helpers on arrays, shared by layers that must not import each other. */

/**
 * True when `a` and `b` hold the same items in the same order (`===`).
 *
 * @example
 * ```ts
 * sameItems(['a', 'b'], ['a', 'b']); // true
 * sameItems(['a', 'b'], ['b', 'a']); // false
 * ```
 */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
