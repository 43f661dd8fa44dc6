/**
 * ─── THE GATE CONFIGURATION OF THE BENCHMARK ───────────────────────────────────────────────────
 * The one place that knows the Confidence Gate's parameter names. When the gate's parameters
 * change (issue 12's redesign), change them here and nowhere else: the rest of the benchmark reads
 * the routed items through `readGate` below (`hitl.gate.route`, `threshold`, `sampledForAudit`,
 * `breakerOpen` of the item contract).
 *
 * The base is the template's gate ("Route by confidence" in templates/support-reply-with-review.json):
 * threshold 0.85, refund at 0.95, 5 % audit samples, adapt on (learning and breaker with the node's
 * defaults: target precision 0.95, 100 reviewed drafts, 30 days; breaker at 30 % over 24 h, 20 reviewed).
 */
import type { INodeParameters } from 'n8n-workflow';

export interface StrategyOptions {
	/** Audit Sample Rate (%) — the template's 5 unless the run says otherwise. */
	auditPercent: number;
	/** Keep the template's "refund at 0.95" intent threshold (it wins over a learned threshold). */
	intentThreshold: boolean;
	/** Target precision for the learned threshold (and the "best fixed in hindsight"). */
	targetPrecision: number;
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
	return [
		{ key: 'fixed', label: 'fixed threshold (template)', detects: false, parameters: { ...template, adapt: false } },
		{
			key: 'learned',
			label: 'learned threshold',
			detects: false,
			parameters: { ...template, adapt: true, learnThreshold: true, targetPrecision: options.targetPrecision, breaker: false },
		},
		{
			key: 'detector',
			label: 'learned + detector',
			detects: true,
			parameters: { ...template, adapt: true, learnThreshold: true, targetPrecision: options.targetPrecision, breaker: true },
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
