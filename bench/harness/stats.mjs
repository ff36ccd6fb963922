// Summaries of benchmark rounds: medians, percentiles, and per-round ratios to a reference client.

/** Median of numbers (null when empty). */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantiles (each 0..1) of an array of numbers, nearest-rank; the array is sorted once. */
export function quantiles(values, qs) {
  if (values.length === 0) return qs.map(() => null);
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
}

/**
 * For one metric: per client, the median over rounds, and the median / min / max over rounds of
 * the ratio client ÷ reference measured in the same round.
 * `rows` are `{ round, client, value }`; returns `Map<client, { median, n, ratio: {median,min,max}|null }>`.
 */
export function summarise(rows, reference) {
  const byClient = new Map();
  for (const row of rows) {
    if (!byClient.has(row.client)) byClient.set(row.client, []);
    byClient.get(row.client).push(row);
  }
  const refByRound = new Map(rows.filter((r) => r.client === reference).map((r) => [r.round, r.value]));
  const out = new Map();
  for (const [client, list] of byClient) {
    const ratios = list
      .filter((r) => refByRound.has(r.round) && refByRound.get(r.round) > 0 && Number.isFinite(r.value))
      .map((r) => r.value / refByRound.get(r.round));
    out.set(client, {
      median: median(list.map((r) => r.value)),
      n: list.length,
      ratio: ratios.length ? { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } : null,
    });
  }
  return out;
}
