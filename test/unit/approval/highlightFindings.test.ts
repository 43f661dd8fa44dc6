import { highlightFindings } from '../../../nodes/HumanApprovalWait/highlightFindings';

const join = (segments: { text: string }[]) => segments.map((segment) => segment.text).join('');

describe('highlightFindings', () => {
	it('returns the whole text as one plain segment without findings', () => {
		expect(highlightFindings('hello', [])).toEqual([{ text: 'hello', findings: [] }]);
	});

	it('cuts the text at a span boundary', () => {
		expect(highlightFindings('call 555-1234 now', [{ span: [5, 13] }])).toEqual([
			{ text: 'call ', findings: [] },
			{ text: '555-1234', findings: [0] },
			{ text: ' now', findings: [] },
		]);
	});

	it('splits overlapping spans into segments covered by each set of findings', () => {
		const segments = highlightFindings('abcdefghij', [{ span: [2, 6] }, { span: [4, 8] }]);
		expect(segments).toEqual([
			{ text: 'ab', findings: [] },
			{ text: 'cd', findings: [0] },
			{ text: 'ef', findings: [0, 1] },
			{ text: 'gh', findings: [1] },
			{ text: 'ij', findings: [] },
		]);
	});

	it('handles a span nested in another and spans at the very edges', () => {
		const segments = highlightFindings('abcdef', [{ span: [0, 6] }, { span: [2, 3] }]);
		expect(segments).toEqual([
			{ text: 'ab', findings: [0] },
			{ text: 'c', findings: [0, 1] },
			{ text: 'def', findings: [0] },
		]);
	});

	it('clips stale spans past the end, drops empty and reversed-empty ones, ignores findings without a span', () => {
		const segments = highlightFindings('short', [{ span: [3, 99] }, { span: [2, 2] }, {}, { span: [50, 60] }]);
		expect(segments).toEqual([
			{ text: 'sho', findings: [] },
			{ text: 'rt', findings: [0] },
		]);
	});

	it('never loses or duplicates text', () => {
		const text = 'The quick brown fox jumps over the lazy dog';
		for (let run = 0; run < 200; run++) {
			const findings = Array.from({ length: 1 + (run % 5) }, (_, index) => {
				const a = (run * 7 + index * 13) % (text.length + 5);
				const b = (run * 11 + index * 3) % (text.length + 5);
				return { span: [a, b] as [number, number] };
			});
			expect(join(highlightFindings(text, findings))).toBe(text);
		}
	});
});
