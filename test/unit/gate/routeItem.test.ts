import { auditDrawFor, routeItem, type GateFacts, type GatePolicy } from '../../../nodes/ConfidenceGate/routeItem';
import type { Compliance, GateRoute } from '../../../nodes/shared/itemContract';

const basePolicy: GatePolicy = {
	threshold: 0.85,
	intentThresholds: [{ intent: 'refund', threshold: 0.95 }],
	useCompliance: true,
	riskFlagRules: [
		{ flag: 'legal_threat', route: 'review' },
		{ flag: 'self_harm', route: 'block' },
	],
	conditions: [{ field: 'amount', operator: 'greaterThan', value: '500', route: 'review' }],
	auditSampleRate: 0,
};

function compliance(...severities: ('block' | 'review' | 'info')[]): Compliance {
	return {
		passed: severities.every((severity) => severity === 'info'),
		rulesetVersion: '1',
		checkedField: 'hitl.draft.text',
		violations: severities.map((severity, index) => ({
			ruleId: `rule-${index}`,
			kind: 'pii' as const,
			severity,
			message: `finding ${index}`,
		})),
	};
}

function facts(overrides: Partial<GateFacts> = {}): GateFacts {
	return { score: 0.9, scoreSource: 'hitl.draft.confidence.score', riskFlags: [], json: {}, auditDraw: 0.5, ...overrides };
}

const table: [string, Partial<GateFacts>, Partial<GatePolicy>, GateRoute, string[]][] = [
	['confident, clean item goes out on its own', {}, {}, 'auto', ['AUTO_OK']],
	['score exactly at the threshold is auto', { score: 0.85 }, {}, 'auto', ['AUTO_OK']],
	['score below the threshold needs review', { score: 0.84 }, {}, 'review', ['LOW_CONFIDENCE']],
	['missing score is never auto', { score: undefined }, {}, 'review', ['SCORE_MISSING']],
	['null score is never auto', { score: null }, {}, 'review', ['SCORE_MISSING']],
	['non-numeric score is never auto', { score: 'high' }, {}, 'review', ['SCORE_MISSING']],
	['NaN score is never auto', { score: Number.NaN }, {}, 'review', ['SCORE_MISSING']],
	['numeric string score is read as a number', { score: '0.9' }, {}, 'auto', ['AUTO_OK']],
	['score above 1 is not trusted', { score: 1.5 }, {}, 'review', ['SCORE_OUT_OF_RANGE']],
	['negative score is not trusted', { score: -0.1 }, {}, 'review', ['SCORE_OUT_OF_RANGE']],
	['blocking compliance finding blocks', { compliance: compliance('block') }, {}, 'block', ['COMPLIANCE_BLOCK']],
	['review compliance finding reviews', { compliance: compliance('review') }, {}, 'review', ['COMPLIANCE_REVIEW']],
	['info compliance finding does not stop auto', { compliance: compliance('info') }, {}, 'auto', ['AUTO_OK']],
	[
		'compliance is ignored when switched off',
		{ compliance: compliance('block') },
		{ useCompliance: false },
		'auto',
		['AUTO_OK'],
	],
	[
		'block wins over review and every reason is kept',
		{ score: 0.2, compliance: compliance('review', 'block') },
		{},
		'block',
		['COMPLIANCE_BLOCK', 'COMPLIANCE_REVIEW', 'LOW_CONFIDENCE'],
	],
	['refund intent needs 0.95', { score: 0.9, intent: 'refund' }, {}, 'review', ['LOW_CONFIDENCE']],
	['intent match ignores case', { score: 0.9, intent: 'REFUND' }, {}, 'review', ['LOW_CONFIDENCE']],
	['refund at 0.96 is auto', { score: 0.96, intent: 'refund' }, {}, 'auto', ['AUTO_OK']],
	[
		'a looser intent threshold applies too',
		{ score: 0.7, intent: 'greeting' },
		{ intentThresholds: [{ intent: 'greeting', threshold: 0.6 }] },
		'auto',
		['AUTO_OK'],
	],
	['risk flag sends to review', { riskFlags: ['legal_threat'] }, {}, 'review', ['RISK_FLAG']],
	['risk flag can block', { riskFlags: ['Self_Harm'] }, {}, 'block', ['RISK_FLAG']],
	['unlisted risk flag does nothing', { riskFlags: ['upsell'] }, {}, 'auto', ['AUTO_OK']],
	['field condition amount > 500 reviews', { json: { amount: 750 } }, {}, 'review', ['CONDITION']],
	['field condition on a numeric string', { json: { amount: '501' } }, {}, 'review', ['CONDITION']],
	['field condition not met', { json: { amount: 500 } }, {}, 'auto', ['AUTO_OK']],
	['field condition on a missing field is not met', { json: {} }, {}, 'auto', ['AUTO_OK']],
	[
		'equals condition on a nested field blocks',
		{ json: { customer: { tier: 'vip' } } },
		{ conditions: [{ field: 'customer.tier', operator: 'equals', value: 'vip', route: 'block' }] },
		'block',
		['CONDITION'],
	],
	[
		'contains condition on an array',
		{ json: { tags: ['chargeback', 'new'] } },
		{ conditions: [{ field: 'tags', operator: 'contains', value: 'chargeback', route: 'review' }] },
		'review',
		['CONDITION'],
	],
	[
		'exists condition',
		{ json: { lawyer: 'Mr. X' } },
		{ conditions: [{ field: 'lawyer', operator: 'exists', value: '', route: 'review' }] },
		'review',
		['CONDITION'],
	],
	[
		'isTrue condition not met by a truthy string',
		{ json: { vip: 'yes' } },
		{ conditions: [{ field: 'vip', operator: 'isTrue', value: '', route: 'review' }] },
		'auto',
		['AUTO_OK'],
	],
];

describe('routeItem', () => {
	test.each(table)('%s', (_name, factOverrides, policyOverrides, route, codes) => {
		const gate = routeItem(facts(factOverrides), { ...basePolicy, ...policyOverrides });
		expect(gate.route).toBe(route);
		expect(gate.reasons.map((reason) => reason.code)).toEqual(codes);
		for (const reason of gate.reasons) expect(reason.detail.length).toBeGreaterThan(10);
	});

	test('reports the threshold it applied', () => {
		expect(routeItem(facts({ intent: 'refund' }), basePolicy).threshold).toBe(0.95);
		expect(routeItem(facts(), basePolicy).threshold).toBe(0.85);
	});

	test('reason text names the score source, the value and the intent threshold', () => {
		const missing = routeItem(facts({ score: undefined, scoreSource: 'data.conf' }), basePolicy);
		expect(missing.reasons[0].detail).toContain('data.conf');
		const low = routeItem(facts({ score: 0.9, intent: 'refund' }), basePolicy);
		expect(low.reasons[0].detail).toBe('Confidence 0.9 is below the threshold 0.95 (the threshold for intent "refund").');
		const condition = routeItem(facts({ json: { amount: 750 } }), basePolicy);
		expect(condition.reasons[0].detail).toBe('Condition matched: amount > 500 (value: 750).');
	});

	test('without shadow mode or an open breaker, the flags are off', () => {
		const gate = routeItem(facts(), basePolicy);
		expect(gate).toMatchObject({ sampledForAudit: false, shadow: false, breakerOpen: false });
		expect(gate).not.toHaveProperty('shadowRoute');
	});

	test('shadow mode: every item to Review, marked with what the policy would have done', () => {
		const shadow = { ...basePolicy, shadow: true };
		const auto = routeItem(facts(), shadow);
		expect(auto).toMatchObject({ route: 'review', shadow: true, shadowRoute: 'auto', sampledForAudit: true });
		expect(auto.reasons.map((reason) => reason.code)).toEqual(['SHADOW_MODE', 'AUTO_OK']);
		expect(auto.reasons[0].detail).toBe(
			'Shadow mode: the gate would have routed this item to Auto (sent on its own); while the policy is on trial, a person sees every item.',
		);
		expect(routeItem(facts({ score: 0.5 }), shadow)).toMatchObject({
			route: 'review',
			shadowRoute: 'review',
			sampledForAudit: false,
			reasons: [{ code: 'SHADOW_MODE' }, { code: 'LOW_CONFIDENCE' }],
		});
		expect(routeItem(facts({ riskFlags: ['self_harm'] }), shadow)).toMatchObject({ route: 'review', shadowRoute: 'block', sampledForAudit: false });
		// an audit sample is a would-be Auto item
		expect(routeItem(facts({ auditDraw: 0 }), { ...shadow, auditSampleRate: 0.5 })).toMatchObject({ shadowRoute: 'auto', sampledForAudit: true });
	});

	test('audit samples: a would-be-auto item whose draw is below the rate goes to Review, marked', () => {
		const policy = { ...basePolicy, auditSampleRate: 0.05 };
		const sampled = routeItem(facts({ auditDraw: 0.049 }), policy);
		expect(sampled).toMatchObject({ route: 'review', sampledForAudit: true, reasons: [{ code: 'AUDIT_SAMPLE' }] });
		expect(sampled.reasons[0].detail).toMatch(/meets the threshold 0.85 .*picked at random \(5% of such items\)/);
		expect(routeItem(facts({ auditDraw: 0.05 }), policy)).toMatchObject({ route: 'auto', sampledForAudit: false });
		// only items that would go out alone are sampled: a doubtful or blocked one keeps its reasons
		expect(routeItem(facts({ score: 0.5, auditDraw: 0 }), policy)).toMatchObject({ route: 'review', sampledForAudit: false, reasons: [{ code: 'LOW_CONFIDENCE' }] });
		expect(routeItem(facts({ riskFlags: ['self_harm'], auditDraw: 0 }), policy)).toMatchObject({ route: 'block', sampledForAudit: false });
		// rate 0 samples nothing, even at draw 0
		expect(routeItem(facts({ auditDraw: 0 }), basePolicy)).toMatchObject({ route: 'auto', sampledForAudit: false });
	});

	test('the audit draw is a stable, uniform function of the case id', () => {
		expect(auditDrawFor('T-1')).toBe(auditDrawFor('T-1'));
		const draws = Array.from({ length: 10_000 }, (_, index) => auditDrawFor(`case-${index}`));
		expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
		expect(Math.max(...draws)).toBeLessThan(1);
		const share = draws.filter((draw) => draw < 0.05).length / draws.length;
		expect(share).toBeGreaterThan(0.04);
		expect(share).toBeLessThan(0.06);
	});

	describe('with learning and drift detection', () => {
		const learned = (value: number): GateFacts['learnedThreshold'] => ({
			apply: 'learned',
			value,
			detail: 'learned from 412 labelled drafts',
			auditRate: 0.1,
			auditDetail: '10% of such items',
		});
		const notLearned: GateFacts['learnedThreshold'] = {
			apply: 'reviewAll',
			detail: 'nothing goes out alone until a threshold is learned: 3 of 100 labelled drafts',
			auditRate: 0.01,
			auditDetail: '1% of such items',
		};

		test('nothing learned: every scored draft to Review, whatever the fixed or intent threshold', () => {
			const gate = routeItem(facts({ score: 0.999, learnedThreshold: notLearned }), basePolicy);
			expect(gate).toMatchObject({ route: 'review', threshold: 1, reviewProbability: 1, reasons: [{ code: 'NOT_LEARNED' }] });
			expect(gate.reasons[0].detail).toBe('Confidence 0.999, but nothing goes out alone until a threshold is learned: 3 of 100 labelled drafts.');
			expect(routeItem(facts({ score: 0.999, intent: 'refund', learnedThreshold: notLearned }), basePolicy).route).toBe('review');
		});

		test('an intent threshold and a learned one: the stricter applies', () => {
			expect(routeItem(facts({ score: 0.9, intent: 'refund', learnedThreshold: learned(0.8) }), basePolicy).threshold).toBe(0.95);
			expect(routeItem(facts({ score: 0.96, intent: 'refund', learnedThreshold: learned(0.98) }), basePolicy)).toMatchObject({
				route: 'review',
				threshold: 0.98,
			});
		});

		test('the review probability: 1 for a score-routed review, the audit rate for a would-be-Auto draft, none when a rule decided', () => {
			expect(routeItem(facts({ score: 0.7, learnedThreshold: learned(0.8) }), basePolicy)).toMatchObject({ route: 'review', reviewProbability: 1 });
			expect(routeItem(facts({ score: 0.9, auditDraw: 0.5, learnedThreshold: learned(0.8) }), basePolicy)).toMatchObject({ route: 'auto', reviewProbability: 0.1 });
			const audited = routeItem(facts({ score: 0.9, auditDraw: 0.05, learnedThreshold: learned(0.8) }), basePolicy);
			expect(audited).toMatchObject({ route: 'review', sampledForAudit: true, reviewProbability: 0.1 });
			expect(audited.reasons[0].detail).toMatch(/picked at random \(10% of such items\)/);
			expect(routeItem(facts({ score: 0.9, riskFlags: ['legal_threat'], learnedThreshold: learned(0.8) }), basePolicy)).not.toHaveProperty('reviewProbability');
			expect(routeItem(facts({ score: 0.5, riskFlags: ['legal_threat'] }), basePolicy)).not.toHaveProperty('reviewProbability');
			expect(routeItem(facts({ score: undefined }), basePolicy)).not.toHaveProperty('reviewProbability');
		});

		test('an open drift detector sends would-be-Auto drafts to Review with its evidence', () => {
			const drift = { open: true, detail: 'drift detected for intent "refund": 14 overrides observed, 4.2 expected from the calibration, since 2026-12-02 10:40 UTC' };
			const gate = routeItem(facts({ score: 0.99, intent: 'refund', slice: 'refund', drift }), basePolicy);
			expect(gate).toMatchObject({ route: 'review', breakerOpen: true, reviewProbability: 1, slice: 'refund', reasons: [{ code: 'BREAKER_OPEN' }] });
			expect(gate.reasons[0].detail).toBe(
				'Confidence 0.99 meets the threshold 0.95 (the threshold for intent "refund") and no rule asked for a review, but auto-send is paused: ' +
					'drift detected for intent "refund": 14 overrides observed, 4.2 expected from the calibration, since 2026-12-02 10:40 UTC.',
			);
		});
	});
});
