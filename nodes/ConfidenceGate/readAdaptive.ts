/**
 * The n8n side of the gate's adaptive oversight (the logic is in learnFromReviews.ts): reading its
 * settings and the two aggregates it learns from, out of the HITL store.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { sharedHitlStore, type HitlStore } from '../shared/store';
import { nodeStoreConfig, storeOpenError } from '../shared/storeCredential';
import { breakerState, learnThresholds, type BreakerState } from './learnFromReviews';
import { numberParameter } from './numberParameter';

export interface Adaptive {
	thresholdFor?: ReturnType<typeof learnThresholds>;
	breaker?: BreakerState;
}

/**
 * What the gate learns from the store, read once per run (the settings of the first item): the
 * decisions this workflow's Feedback Log recorded, as two small aggregates.
 */
export async function readAdaptive(context: IExecuteFunctions): Promise<Adaptive | undefined> {
	if (!(context.getNodeParameter('adapt', 0, false) as boolean)) return undefined;
	const number = (name: string, label: string, min: number, max: number, fallback: number) =>
		numberParameter(context, 0, { name, label, min, max, fallback });
	const learn = context.getNodeParameter('learnThreshold', 0, true) as boolean;
	const watch = context.getNodeParameter('breaker', 0, true) as boolean;
	const learning = learn
		? {
				targetPrecision: number('targetPrecision', 'Target Precision', 0.5, 0.999, 0.95),
				minSamples: number('minSamples', 'Minimum Reviewed Drafts', 1, Number.MAX_SAFE_INTEGER, 100),
				floor: number('learnedFloor', 'Lowest Learned Threshold', 0, 1, 0.5),
				days: number('learnDays', 'Learn From Last Days', 1, 36_500, 30),
			}
		: undefined;
	const breaker = watch
		? {
				maxOverrideRate: number('breakerRatePercent', 'Override Rate Limit (%)', 0, 100, 30) / 100,
				windowHours: number('breakerHours', 'Over the Last Hours', 1, 87_600, 24),
				minReviewed: number('breakerMinReviewed', 'Minimum Reviewed in Window', 1, Number.MAX_SAFE_INTEGER, 20),
			}
		: undefined;

	let store: HitlStore;
	try {
		store = await sharedHitlStore(await nodeStoreConfig(context));
	} catch (error) {
		throw storeOpenError(
			context.getNode(),
			error,
			'Check the HITL Store credential (its Test button opens the store), or turn off "Adapt to Reviewers\' Decisions".',
		);
	}
	const workflowId = context.getWorkflow().id || undefined;
	const now = Date.now();
	const since = (ms: number) => new Date(now - ms).toISOString();
	return {
		thresholdFor: learning
			? learnThresholds(await store.confidenceBins({ workflowId, since: since(learning.days * 86_400_000) }), learning)
			: undefined,
		breaker: breaker ? breakerState(await store.overrideCounts({ workflowId, since: since(breaker.windowHours * 3_600_000) }), breaker) : undefined,
	};
}
