import {
	draftAnswerSchema,
	judgementSchema,
	parseAnswer,
	ratedDraftAnswerSchema,
	responseFormatFor,
} from '../../../nodes/LlmDraft/draftAnswer';
import { parseExtraHeaders } from '../../../nodes/LlmDraft/extraHeaders';

test('the JSON schema is strict-mode ready: all properties required, none extra, no $schema', () => {
	const format = responseFormatFor('draft_answer', ratedDraftAnswerSchema);
	expect(format.type).toBe('json_schema');
	expect(format.json_schema).toMatchObject({ name: 'draft_answer', strict: true });
	const schema = format.json_schema.schema as { required: string[]; additionalProperties: boolean; properties: Record<string, { type: string }> };
	expect(schema).not.toHaveProperty('$schema');
	expect(schema.additionalProperties).toBe(false);
	expect(schema.required).toEqual(['reply', 'intent', 'sentiment', 'riskFlags', 'confidence']);
	expect(schema.properties.confidence).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
	expect(Object.keys((responseFormatFor('x', draftAnswerSchema).json_schema.schema as { properties: object }).properties)).not.toContain(
		'confidence',
	);
});

test('parses a valid answer, also inside a code fence or with chatter around it', () => {
	const json = '{"reply":"Hi","intent":"greeting","sentiment":"positive","riskFlags":[]}';
	for (const content of [json, '```json\n' + json + '\n```', 'Here you go: ' + json + ' Thanks']) {
		expect(parseAnswer(content, draftAnswerSchema)).toEqual({
			ok: true,
			value: { reply: 'Hi', intent: 'greeting', sentiment: 'positive', riskFlags: [] },
		});
	}
});

test('names what is wrong with an unusable answer', () => {
	expect(parseAnswer('', draftAnswerSchema)).toEqual({ ok: false, problem: 'the answer was empty' });
	expect(parseAnswer('{"reply": "cut', draftAnswerSchema)).toMatchObject({ ok: false, problem: expect.stringMatching(/^the answer is not valid JSON/) });
	expect(parseAnswer('{"reply":"Hi","intent":"x","sentiment":"furious","riskFlags":[]}', draftAnswerSchema)).toMatchObject({
		ok: false,
		problem: expect.stringMatching(/^"sentiment" does not match the schema/),
	});
	expect(parseAnswer('{"rating": 11, "verdict": "pass", "issues": []}', judgementSchema)).toMatchObject({
		ok: false,
		problem: expect.stringMatching(/^"rating"/),
	});
});

test('extra headers: a JSON object of strings, or a clear problem', () => {
	expect(parseExtraHeaders('{"X-A": "1", "X-B": 2, "": "dropped"}')).toEqual({ ok: true, headers: { 'X-A': '1', 'X-B': '2' } });
	expect(parseExtraHeaders(undefined)).toEqual({ ok: true, headers: {} });
	expect(parseExtraHeaders({ 'X-C': 'c' })).toEqual({ ok: true, headers: { 'X-C': 'c' } });
	expect(parseExtraHeaders('not json')).toMatchObject({ ok: false });
	expect(parseExtraHeaders('[1]')).toMatchObject({ ok: false });
});
