/**
 * The n8n side of the gate's adaptive oversight (the logic is in learnFromReviews.ts and
 * nodes/shared/calibration): reading its settings and what it learns from out of the HITL store,
 * and advancing the shared drift detector.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { advanceDetector, type DetectorSettings, type DetectorState } from '../shared/calibration/driftDetector';
import { DEFAULT_LEARNED_FLOOR } from '../shared/calibration/learnedThresholds';
import { numberParameter } from '../shared/nodeParameters';
import type { HitlStore } from '../shared/store';
import type { JsonValue } from '../shared/store/types';
import { openNodeStore } from '../shared/storeCredential';
import { driftFor, learnPolicies, type DriftState, type LearnedPolicy, type LearningSettings } from './learnFromReviews';
import { windowRoutedBins } from './windowAggregate';

export interface Adaptive {
	policyFor?: (model: string | undefined, promptVersion: string | undefined) => LearnedPolicy;
	driftFor?: (slice: string | undefined) => DriftState;
}

/** Labelled drafts the detector reads per run; a longer backlog is read over the next runs. */
const DETECTOR_BATCH = 5000;
const STATE_RETRIES = 5;

/**
 * What the gate learns from the store, read once per run (the settings of the first item): one
 * aggregate of the score-routed drafts of this workflow in the window, and the labelled drafts
 * recorded since the detector last looked.
 */
export async function readAdaptive(context: IExecuteFunctions): Promise<Adaptive | undefined> {
	if (!(context.getNodeParameter('adapt', 0, false) as boolean)) return undefined;
	const number = (name: string, label: string, min: number, max: number | undefined, fallback: number, description: string) =>
		numberParameter(context, name, 0, fallback, { label, min, max, description });
	const learn = context.getNodeParameter('learnThreshold', 0, true) as boolean;
	const watch = context.getNodeParameter('breaker', 0, true) as boolean;
	const auditFloor = number('options.auditSamplePercent', 'Audit Sample Rate (%)', 0, 100, 0, 'The share of confident items a person checks anyway, e.g. 5 for one in twenty; while learning, the lowest audit rate.') / 100;
	const learning: LearningSettings = {
		targetPrecision: number('targetPrecision', 'Target Precision', 0.5, 0.999, 0.95, 'The share of drafts sent out alone that reviewers would approve unchanged, e.g. 0.95.'),
		minSamples: number('minSamples', 'Minimum Reviewed Drafts', 1, undefined, 100, 'How many labelled drafts a learned threshold must rest on, e.g. 100.'),
		floor: number('learnedFloor', 'Lowest Learned Threshold', 0, 1, DEFAULT_LEARNED_FLOOR, 'Scores are probabilities: no threshold below this one is learned, e.g. 0.5.'),
		auditFloor,
		start: (context.getNodeParameter('learningStart', 0, context.getNode().typeVersion >= 2 ? 'reviewAll' : 'threshold') as string) === 'threshold' ? 'threshold' : 'reviewAll',
	};
	const days = number('learnDays', 'Learn From Last Days', 0.001, 36_500, 30, 'How many days of decisions count; fractions are allowed (0.5 = 12 hours).');
	const detector: DetectorSettings | undefined = watch
		? {
				alarmEvery: number('driftAlarmEvery', 'False Alarm: One per Labelled Drafts', 10, 1e9, 10_000, 'About how many labelled drafts of a slice may pass between false alarms, e.g. 10000.'),
				increase: number('driftIncrease', 'Detect an Override Rate Increase Of (×)', 1.1, 10, 2, 'The increase of the override rate the detector is tuned for: 2 means a doubling.'),
			}
		: undefined;
	const sliceField = String(context.getNodeParameter('options.intentField', 0, 'hitl.draft.intent') || 'hitl.draft.intent');

	const store = await openNodeStore(context, {
		hint: 'Check the HITL Store credential (its Test button opens the store), or turn off "Adapt to Reviewers\' Decisions".',
	});
	const workflowId = context.getWorkflow().id || undefined;
	const since = new Date(Date.now() - days * 86_400_000).toISOString();
	const learned = learnPolicies(await windowRoutedBins(store, workflowId, since), learning);
	const adaptive: Adaptive = {};
	if (learn) adaptive.policyFor = learned.policyFor;
	if (detector) {
		const state = await advanceSharedDetector(store, `drift:${workflowId ?? ''}:${context.getNode().name}`, { workflowId, since }, detector, learned.expectedOverrideOf);
		adaptive.driftFor = driftFor(state, sliceField.split('.').pop() ?? sliceField);
	}
	return adaptive;
}

/**
 * Reads the detector's state, feeds it the labelled drafts recorded since its cursor, and writes it
 * back with compare-and-set, so two n8n processes never both count a draft. On repeated conflicts
 * the state another process wrote is used as is.
 */
async function advanceSharedDetector(
	store: HitlStore,
	key: string,
	window: { workflowId?: string; since: string },
	settings: DetectorSettings,
	expected: (draft: { model: string | null; promptVersion: string | null; confidence: number }) => number | undefined,
): Promise<DetectorState> {
	let current: DetectorState = { slices: {} };
	for (let attempt = 0; attempt < STATE_RETRIES; attempt++) {
		const stored = await store.getGateState(key);
		current = (stored?.state as unknown as DetectorState | undefined) ?? { slices: {} };
		// With a cursor, the id range alone (the (workflow_id, id) index): what follows it is recent.
		const drafts = await store.labelledDecisions(
			current.cursor === undefined ? { ...window, limit: DETECTOR_BATCH } : { workflowId: window.workflowId, afterId: current.cursor, limit: DETECTOR_BATCH },
		);
		if (drafts.length === 0) return current;
		const next = advanceDetector(
			current,
			drafts.map((draft) => ({
				id: draft.id,
				slice: draft.slice,
				overridden: !draft.approved,
				expectedOverride: expected(draft),
				at: draft.recordedAt,
			})),
			settings,
		);
		const written = await store.putGateState(key, next as unknown as JsonValue, stored?.revision ?? 0);
		if (written.ok) return next;
	}
	return current;
}
