/**
 * The part of a key Redis Cluster hashes to pick its slot, by Redis' own rule: the text between the first `{` and the
 * first `}` after it, when that is not empty; otherwise the whole key. Keys with the same hash tag share a slot, which
 * is what lets one Lua script or MULTI touch them together on a cluster.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/**
 * Whether every key that starts with `prefix` has the prefix's hash tag, whatever follows it: the prefix itself must
 * hold a complete, non-empty `{tag}`. `{deployflow}` does; `deployflow` or `{}x` do not.
 */
export function prefixFixesTheSlot(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}
