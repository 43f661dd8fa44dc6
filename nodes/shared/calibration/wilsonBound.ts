/**
 * The one confidence level the package states its bounds at, and the Wilson score bound every
 * estimate uses (Feedback Log metrics and calibration, the Confidence Gate's learned threshold).
 */

/** Normal quantile of a one-sided 95 % bound. Every "95 % lower bound" in the package uses it. */
export const Z_ONE_SIDED_95 = 1.645;

/**
 * The one-sided normal quantile of each confidence level a report offers (the Feedback Log's
 * Calibration → Confidence Level); 95 % is Z_ONE_SIDED_95, so the report at 95 % and the gate use
 * the same number.
 */
export const Z_ONE_SIDED: Readonly<Record<'0.9' | '0.95' | '0.99', number>> = { '0.9': 1.2816, '0.95': Z_ONE_SIDED_95, '0.99': 2.3263 };

/** z of a confidence level given as text ('0.9', '0.95', '0.99'); 95 % for anything else. */
export function zOfLevel(level: string): number {
	return (Z_ONE_SIDED as Record<string, number>)[level] ?? Z_ONE_SIDED_95;
}

/**
 * Lower end of the Wilson score interval for an observed share `p` over `n` (effective) trials.
 * Unlike p − z·√(p(1−p)/n) it stays informative at p = 1 (n / (n + z²)), where a share of
 * approvals near 1 is exactly the case that matters here.
 */
export function wilsonLowerBoundOfShare(p: number, n: number, z = Z_ONE_SIDED_95): number {
	if (!(n > 0)) return 0;
	const z2 = z * z;
	const centre = p + z2 / (2 * n);
	const margin = z * Math.sqrt(Math.max(0, (p * (1 - p)) / n + z2 / (4 * n * n)));
	return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** Upper end of the same one-sided interval. */
export function wilsonUpperBoundOfShare(p: number, n: number, z = Z_ONE_SIDED_95): number {
	return 1 - wilsonLowerBoundOfShare(1 - p, n, z);
}

/** Wilson score interval's lower end for k successes in n trials. */
export function wilsonLowerBound(successes: number, trials: number, z = Z_ONE_SIDED_95): number {
	if (trials <= 0) return 0;
	return wilsonLowerBoundOfShare(successes / trials, trials, z);
}
