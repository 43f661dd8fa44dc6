/**
 * The order statistics every benchmark reports, defined once so their figures mean the same thing
 * from one benchmark to the next.
 */

/**
 * The nearest-rank percentile: the smallest of the values with at least `p` % of them at or below
 * it (p in (0, 100]). It is always one of the measured values, never an interpolation.
 */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) throw new Error('percentile of no values: the benchmark measured nothing');
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The nearest-rank median: of an even count, the lower of the two middle values. */
export const median = (values: readonly number[]): number => percentile(values, 50);
