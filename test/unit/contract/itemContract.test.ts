import {
	HITL_CONTRACT_VERSION,
	HitlContractError,
	hitlSchema,
	mergeHitl,
	readHitl,
	readHitlPart,
	requireHitlPart,
	resolveCaseId,
	type Draft,
} from '../../../nodes/shared/itemContract';

const draft: Draft = {
	text: 'Hello',
	model: 'gpt-x',
	confidence: { score: 0.9, method: 'verbalized', signals: { verbalized: 0.9 } },
	riskFlags: [],
	usage: { promptTokens: 10, completionTokens: 5 },
	latencyMs: 120,
};

describe('item contract', () => {
	test('merge keeps user fields and other parts, sets version and a stable case id', () => {
		const first = mergeHitl({ ticket: 7, message: 'hi' }, { draft });
		const hitl = first.hitl as Record<string, unknown>;
		expect(first.ticket).toBe(7);
		expect(hitl.version).toBe(HITL_CONTRACT_VERSION);
		expect(typeof hitl.caseId).toBe('string');
		const second = mergeHitl(first, {
			gate: { route: 'auto', reasons: [], threshold: 0.8, sampledForAudit: false, shadow: false, breakerOpen: false },
		});
		const merged = second.hitl as Record<string, unknown>;
		expect(merged.caseId).toBe(hitl.caseId);
		expect(merged.draft).toEqual(draft);
		expect(merged.gate).toBeDefined();
		expect(hitlSchema.safeParse(merged).success).toBe(true);
	});

	test('merge does not mutate its input', () => {
		const input = { a: 1 };
		mergeHitl(input, { draft });
		expect(input).toEqual({ a: 1 });
	});

	test('case id comes from the chosen field when the item has none', () => {
		expect(resolveCaseId({}, { fromField: 'T-42' })).toBe('T-42');
		expect(resolveCaseId({}, { fromField: 42 })).toBe('42');
		expect(resolveCaseId({ hitl: { caseId: 'kept' } }, { fromField: 'T-42' })).toBe('kept');
		expect(resolveCaseId({}, { fromField: '  ' })).toMatch(/^[0-9a-f-]{36}$/);
	});

	test('missing part names the field and the node that sets it', () => {
		expect.assertions(4);
		try {
			requireHitlPart({ hitl: { caseId: 'c' } }, 'draft', 'Confidence Gate');
		} catch (error) {
			expect(error).toBeInstanceOf(HitlContractError);
			const contractError = error as HitlContractError;
			expect(contractError.path).toBe('hitl.draft');
			expect(contractError.message).toBe('hitl.draft is missing');
			expect(contractError.hint).toContain('Put LLM Draft before Confidence Gate');
		}
	});

	test('a malformed field is reported by its full path', () => {
		const json = { hitl: { caseId: 'c', draft: { ...draft, confidence: { ...draft.confidence, score: 'high' } } } };
		expect(() => readHitlPart(json, 'draft', 'Feedback Log')).toThrow('hitl.draft.confidence.score is invalid');
		expect(() => readHitl(json, 'Feedback Log')).toThrow(HitlContractError);
	});

	test('a missing nested field is called missing', () => {
		const { text: _text, ...withoutText } = draft;
		expect(() => readHitlPart({ hitl: { caseId: 'c', draft: withoutText } }, 'draft', 'X')).toThrow(
			'hitl.draft.text is missing',
		);
	});

	test('reading one part ignores a malformed other part', () => {
		const json = { hitl: { caseId: 'c', draft: { broken: true }, compliance: undefined } };
		expect(readHitlPart(json, 'compliance', 'Confidence Gate')).toBeUndefined();
		expect(readHitl({}, 'X')).toBeUndefined();
	});

	test('unknown fields from newer nodes survive a read', () => {
		const parsed = readHitl({ hitl: { caseId: 'c', draft: { ...draft, futureField: 1 } } }, 'X');
		expect((parsed?.draft as Record<string, unknown>).futureField).toBe(1);
	});
});
