/**
 * The routed-bins aggregate of the learning window, kept up to date incrementally per n8n process:
 * a full aggregate of 100k decisions takes about a second on SQLite, but a gate run must read in a
 * few milliseconds (issue 12). So each process keeps the last aggregate with the largest decision
 * id it covered, adds what was recorded since (a short range of the (workflow_id, id) index) and
 * subtracts what left the window (a short range of recorded_ms). Every FULL_REFRESH_MS it reads
 * the whole window again: on PostgreSQL a transaction can commit a smaller id after a larger one
 * was read, and a full read is what picks such a row up.
 */
import type { HitlStore, RoutedBin } from '../shared/store/types';

interface CachedWindow {
	throughId?: string;
	sinceMs: number;
	bins: Map<string, RoutedBin>;
	fullAt: number;
}

const FULL_REFRESH_MS = 10 * 60_000;
const cache = new Map<string, CachedWindow>();

const binKey = (bin: RoutedBin) => JSON.stringify([bin.model, bin.promptVersion, bin.percent]);

function addBins(target: Map<string, RoutedBin>, bins: readonly RoutedBin[], sign: 1 | -1): void {
	for (const bin of bins) {
		const key = binKey(bin);
		const current = target.get(key) ?? { ...bin, routed: 0, labelled: 0, weight: 0, weightSquared: 0, weightApproved: 0, weightSquaredApproved: 0 };
		const next: RoutedBin = {
			...current,
			routed: current.routed + sign * bin.routed,
			labelled: current.labelled + sign * bin.labelled,
			weight: current.weight + sign * bin.weight,
			weightSquared: current.weightSquared + sign * bin.weightSquared,
			weightApproved: current.weightApproved + sign * bin.weightApproved,
			weightSquaredApproved: current.weightSquaredApproved + sign * bin.weightSquaredApproved,
		};
		if (next.routed <= 0) target.delete(key);
		else target.set(key, next);
	}
}

/** The routed bins of a workflow since `since`, as store.routedBins would return them. */
export async function windowRoutedBins(store: HitlStore, workflowId: string | undefined, since: string): Promise<RoutedBin[]> {
	const cacheKey = JSON.stringify([store.backend, store.location, workflowId ?? null]);
	const sinceMs = Date.parse(since);
	const now = Date.now();
	const throughId = await store.lastDecisionId();
	let entry = cache.get(cacheKey);
	if (!entry || sinceMs < entry.sinceMs || now - entry.fullAt > FULL_REFRESH_MS || (entry.throughId !== undefined && throughId === undefined)) {
		const bins = new Map<string, RoutedBin>();
		addBins(bins, await store.routedBins({ workflowId, since, throughId }), 1);
		entry = { throughId, sinceMs, bins, fullAt: now };
	} else {
		if (throughId !== entry.throughId) {
			// No time bound: rows recorded since the last read are recent (the Feedback Log stamps
			// them "now"), and a time bound would make the engine scan the window by recorded_ms.
			addBins(entry.bins, await store.routedBins({ workflowId, afterId: entry.throughId, throughId }), 1);
		}
		if (sinceMs > entry.sinceMs && entry.throughId !== undefined) {
			const left = await store.routedBins({ workflowId, since: new Date(entry.sinceMs).toISOString(), until: since, throughId: entry.throughId });
			addBins(entry.bins, left, -1);
		}
		entry = { ...entry, throughId, sinceMs };
	}
	cache.set(cacheKey, entry);
	return [...entry.bins.values()];
}
