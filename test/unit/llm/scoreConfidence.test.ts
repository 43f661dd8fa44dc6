import {
	combineConfidence,
	findValueSpan,
	scoreConsistency,
	scoreFromLogprobs,
	scoreJudge,
	scoreVerbalized,
	wordOverlapF1,
	type TokenLogprob,
} from '../../../nodes/LlmDraft/scoreConfidence';

const answer = (extra: Partial<{ reply: string; intent: string; riskFlags: string[]; confidence: number }> = {}) => ({
	reply: 'Your refund is on its way.',
	intent: 'refund',
	sentiment: 'neutral' as const,
	riskFlags: [] as string[],
	...extra,
});

/** Tokens that concatenate to `content`, each with probability `p` unless overridden. */
function tokens(parts: string[], p: number, overrides: Record<number, Partial<TokenLogprob>> = {}): TokenLogprob[] {
	return parts.map((token, index) => ({ token, logprob: Math.log(p), ...overrides[index] }));
}

describe('logprobs', () => {
	const parts = ['{"', 'reply', '":"', 'Your', ' refund', ' is', ' on', ' its', ' way', '."', ',"', 'confidence', '":', '0', '.', '9', '}'];
	const content = parts.join('');
	const rated = answer({ confidence: 0.9 });

	test('finds the spans of the reply and the rating in the raw answer', () => {
		expect(content.slice(...findValueSpan(content, 'reply')!)).toBe('Your refund is on its way.');
		expect(content.slice(...findValueSpan(content, 'confidence')!)).toBe('0.9');
		expect(findValueSpan('{"reply":"a \\"quoted\\" word"}', 'reply')).toEqual([10, 27]);
		expect(findValueSpan(content, 'missing')).toBeUndefined();
	});

	test('the score is the geometric mean probability of the reply tokens only', () => {
		// JSON syntax tokens are certain; the reply tokens carry the doubt
		const list = tokens(parts, 0.999, Object.fromEntries([3, 4, 5, 6, 7, 8, 9].map((i) => [i, { logprob: Math.log(0.6) }])));
		const result = scoreFromLogprobs(content, answer(), list)!;
		expect(result.method).toBe('logprobs');
		expect(result.signals.replyTokens).toBe(7);
		expect(result.score).toBeCloseTo(0.6, 6);
		expect(result.signals.replyMinTokenProb).toBeCloseTo(0.6, 6);
	});

	test('with a self-rating, blends in its expected value under the digit alternatives', () => {
		const list = tokens(parts, 0.8, {
			15: { logprob: Math.log(0.6), top_logprobs: [{ token: '9', logprob: Math.log(0.6) }, { token: '5', logprob: Math.log(0.4) }] },
		});
		const result = scoreFromLogprobs(content, rated, list)!;
		// expected rating = 0.6 × 0.9 + 0.4 × 0.5 = 0.74; reply tokens all 0.8
		expect(result.signals.selfRatingExpected).toBeCloseTo(0.74, 6);
		expect(result.signals.selfRatingTokenProb).toBeCloseTo(0.6, 6);
		expect(result.score).toBeCloseTo(0.5 * 0.8 + 0.5 * 0.74, 5);
	});

	test('no log-probabilities: no score (the caller falls back)', () => {
		expect(scoreFromLogprobs(content, rated, null)).toBeUndefined();
		expect(scoreFromLogprobs(content, rated, [])).toBeUndefined();
	});
});

test('verbalized: the rating, clamped into [0, 1]', () => {
	expect(scoreVerbalized(answer({ confidence: 0.42 }))).toEqual({ score: 0.42, method: 'verbalized', signals: { selfRating: 0.42 } });
	expect(scoreVerbalized(answer({ confidence: 1.7 }))!.score).toBe(1);
	expect(scoreVerbalized(answer())).toBeUndefined();
});

describe('consistency', () => {
	test('identical samples agree fully', () => {
		expect(scoreConsistency(answer(), [answer(), answer()])).toEqual({
			score: 1,
			method: 'consistency',
			signals: { samples: 3, invalidSamples: 0, intentAgreement: 1, replySimilarity: 1, riskFlagAgreement: 1 },
		});
	});

	test('weights: 0.4 intent, 0.4 reply overlap, 0.2 risk flags; an invalid sample is full disagreement', () => {
		const other = answer({ intent: 'delivery', reply: 'Your parcel is on its way.', riskFlags: ['late'] });
		const result = scoreConsistency(answer(), [answer(), other, undefined])!;
		const overlap = wordOverlapF1('Your refund is on its way.', 'Your parcel is on its way.');
		expect(overlap).toBeCloseTo(5 / 6, 6);
		expect(result.signals).toMatchObject({ samples: 4, invalidSamples: 1, intentAgreement: 0.333333 });
		expect(result.signals.replySimilarity).toBeCloseTo((1 + overlap) / 3, 5);
		expect(result.signals.riskFlagAgreement).toBeCloseTo(1 / 3, 5);
		expect(result.score).toBeCloseTo(0.4 * (1 / 3) + 0.4 * ((1 + overlap) / 3) + 0.2 * (1 / 3), 5);
	});

	test('intent labels compare case- and space-insensitively', () => {
		expect(scoreConsistency(answer(), [answer({ intent: ' Refund ' })])!.signals.intentAgreement).toBe(1);
	});

	test('no samples: no score', () => {
		expect(scoreConsistency(answer(), [])).toBeUndefined();
	});
});

test('judge: (rating − 1) / 9 with the verdict and issues as signals', () => {
	expect(scoreJudge({ rating: 10, verdict: 'pass', issues: [] })).toEqual({
		score: 1,
		method: 'judge',
		signals: { judgeRating: 10, judgePass: 1, judgeIssues: 0 },
	});
	expect(scoreJudge({ rating: 1, verdict: 'fail', issues: ['wrong', 'rude'] }).score).toBe(0);
	expect(scoreJudge({ rating: 7, verdict: 'pass', issues: [] }).score).toBeCloseTo(6 / 9, 5);
});

describe('combined', () => {
	const part = (score: number, signals: Record<string, number> = {}) => ({ score, method: 'verbalized' as const, signals });

	test('weighted mean 0.2 / 0.1 / 0.35 / 0.35 with every raw signal kept', () => {
		const result = combineConfidence({
			logprobs: part(0.9, { replyGeoMeanProb: 0.9 }),
			verbalized: part(0.8, { selfRating: 0.8 }),
			consistency: part(0.5, { intentAgreement: 0.5 }),
			judge: part(1, { judgeRating: 10 }),
		})!;
		expect(result.method).toBe('combined');
		expect(result.score).toBeCloseTo(0.2 * 0.9 + 0.1 * 0.8 + 0.35 * 0.5 + 0.35 * 1, 6);
		expect(result.signals).toMatchObject({ replyGeoMeanProb: 0.9, selfRating: 0.8, intentAgreement: 0.5, judgeRating: 10, judgeWeight: 0.35 });
	});

	test('missing components are left out and the weights renormalised', () => {
		const result = combineConfidence({ verbalized: part(0.2), judge: part(0.8) })!;
		expect(result.signals).toEqual({ verbalizedScore: 0.2, verbalizedWeight: 0.222222, judgeScore: 0.8, judgeWeight: 0.777778 });
		expect(result.score).toBeCloseTo((0.1 * 0.2 + 0.35 * 0.8) / 0.45, 5);
		expect(combineConfidence({})).toBeUndefined();
	});
});
