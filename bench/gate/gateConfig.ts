/**
 * ─── THE GATE CONFIGURATION OF THE BENCHMARK ───────────────────────────────────────────────────
 * The one place that knows the Confidence Gate's parameter names. When the gate's parameters
 * change (issue 12's redesign), change them here and nowhere else: the rest of the benchmark reads
 * the routed items through `readGate` below (`hitl.gate.route`, `threshold`, `sampledForAudit`,
 * `breakerOpen` of the item contract).
 *
 * The base is the template's gate ("Route by confidence" in templates/support-reply-with-review.json):
 * threshold 0.85, refund at 0.95, 5 % audit samples (the audit floor once learning), adapt on with
 * the node's defaults (target precision 0.95, 100 labelled drafts, everything reviewed until a
 * threshold is learned, drift detector at one false alarm per 10,000 labelled drafts of a slice for
 * a doubling of the override rate) except the window: `learnDays` (2 days = 2,000 drafts at the
 * bench's default 1,000 a day), so the threshold follows the model.
 */
import type { INodeParameters } from 'n8n-workflow';

export interface StrategyOptions {
	/** Audit Sample Rate (%) — the template's 5 unless the run says otherwise. */
	auditPercent: number;
	/** Keep the template's "refund at 0.95" intent threshold (it wins over a learned threshold). */
	intentThreshold: boolean;
	/** Target precision for the learned threshold (and the "best fixed in hindsight"). */
	targetPrecision: number;
	/** Learn From Last Days (the recency window). */
	learnDays?: number;
	/** False Alarm: One per Labelled Drafts (the detector's A). */
	driftAlarmEvery?: number;
}

export interface GateStrategy {
	key: 'fixed' | 'learned' | 'detector';
	label: string;
	/** The Confidence Gate node's parameters. */
	parameters: INodeParameters;
	/** Whether the strategy has a drift detector whose alarms (hitl.gate.breakerOpen) are measured. */
	detects: boolean;
}

export function gateStrategies(options: StrategyOptions): GateStrategy[] {
	const template: INodeParameters = {
		score: 'hitl.draft.confidence.score',
		threshold: 0.85,
		intentThresholds: options.intentThreshold ? { entries: [{ intent: 'refund', threshold: 0.95 }] } : {},
		options: { auditSamplePercent: options.auditPercent },
	};
	const learning: INodeParameters = { adapt: true, learnThreshold: true, targetPrecision: options.targetPrecision, learnDays: options.learnDays ?? 2 };
	return [
		{ key: 'fixed', label: 'fixed threshold (template)', detects: false, parameters: { ...template, adapt: false } },
		{
			key: 'learned',
			label: 'learned threshold',
			detects: false,
			parameters: { ...template, ...learning, breaker: false },
		},
		{
			key: 'detector',
			label: 'learned + detector',
			detects: true,
			parameters: { ...template, ...learning, breaker: true, driftAlarmEvery: options.driftAlarmEvery ?? 10_000 },
		},
	];
}

/** What the benchmark reads off a routed item's `hitl.gate` (the item contract). */
export interface GateReading {
	route: 'auto' | 'review' | 'block';
	/** The threshold the gate applied to the item. */
	threshold: number;
	sampledForAudit: boolean;
	/** The drift alarm was on for this item (today: the override breaker was open). */
	alarm: boolean;
}

export function readGate(gate: { route: GateReading['route']; threshold: number; sampledForAudit: boolean; breakerOpen: boolean }): GateReading {
	return { route: gate.route, threshold: gate.threshold, sampledForAudit: gate.sampledForAudit, alarm: gate.breakerOpen };
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────
