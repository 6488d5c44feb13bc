/**
 * A bounded cache for pure functions of one string: matching an import asks for the same few thousand names,
 * versions and CPEs again and again. The cache is emptied when full. Results are shared: never mutate them.
 */
export function memoised<T>(fn: (s: string) => T, max = 50_000): (s: string) => T {
  const cache = new Map<string, T>();
  return (s: string): T => {
    const hit = cache.get(s);
    if (hit !== undefined) return hit;
    const v = fn(s);
    if (cache.size >= max) cache.clear();
    cache.set(s, v);
    return v;
  };
}
