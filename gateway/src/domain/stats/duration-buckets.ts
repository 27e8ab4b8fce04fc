/**
 * Waits and service times are counted in fixed buckets, so that a year of a busy store sums into
 * percentiles with one SQL pass over daily rows instead of sorting every ticket again. Upper edges
 * in seconds; the last bucket is open. The edges are a stored format (stats_queue_hour's w0..w15
 * and s0..s15 columns): never change them, add a new table instead.
 */
export const BUCKET_EDGES_S = [30, 60, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200] as const;
export const BUCKET_COUNT = BUCKET_EDGES_S.length + 1;

export function bucketOf(seconds: number): number {
  const i = BUCKET_EDGES_S.findIndex((edge) => seconds < edge);
  return i === -1 ? BUCKET_EDGES_S.length : i;
}

export function emptyBuckets(): number[] {
  return new Array<number>(BUCKET_COUNT).fill(0);
}

/**
 * The q-quantile (0-1) of what the buckets counted, interpolated linearly inside its bucket: exact
 * to within that bucket's width (30 s for short waits, 30 min past an hour). In the open last
 * bucket it is that bucket's lower edge ("2 h or more"). Null when nothing was counted.
 */
export function quantileOf(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && below + n >= rank) {
      const low = i === 0 ? 0 : BUCKET_EDGES_S[i - 1]!;
      const high = BUCKET_EDGES_S[i];
      if (high === undefined) return low;
      return low + ((high - low) * Math.max(0, rank - below)) / n;
    }
    below += n;
  }
  return BUCKET_EDGES_S.at(-1)!;
}
