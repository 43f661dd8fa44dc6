/**
 * Splits a draft into segments so that compliance findings can be shown in place: each segment
 * is a run of text covered by the same set of findings. Spans come from the Compliance Check
 * (`hitl.compliance.violations[].span`, half-open `[start, end)` in UTF-16 code units, the
 * same indexing as `String.prototype.slice`), may overlap, and may be stale (beyond the text
 * after an edit upstream) — stale parts are clipped, empty spans are dropped.
 */

export interface SpannedFinding {
	span?: [number, number];
}

export interface TextSegment {
	text: string;
	/** Indexes (into the findings array given) of the findings covering this segment; [] = none. */
	findings: number[];
}

export function highlightFindings(text: string, findings: readonly SpannedFinding[]): TextSegment[] {
	const ranges = findings
		.map((finding, index) => ({ index, span: finding.span }))
		.filter((entry): entry is { index: number; span: [number, number] } => Array.isArray(entry.span))
		.map(({ index, span }) => ({
			index,
			start: clamp(Math.min(span[0], span[1]), text.length),
			end: clamp(Math.max(span[0], span[1]), text.length),
		}))
		.filter((range) => range.end > range.start);

	const cuts = new Set<number>([0, text.length]);
	for (const range of ranges) {
		cuts.add(range.start);
		cuts.add(range.end);
	}
	const points = [...cuts].sort((a, b) => a - b);

	const segments: TextSegment[] = [];
	for (let i = 0; i < points.length - 1; i++) {
		const start = points[i];
		const end = points[i + 1];
		if (end <= start) continue;
		const covering = ranges.filter((range) => range.start <= start && range.end >= end).map((range) => range.index);
		const previous = segments[segments.length - 1];
		if (previous && sameSet(previous.findings, covering)) previous.text += text.slice(start, end);
		else segments.push({ text: text.slice(start, end), findings: covering });
	}
	if (segments.length === 0) segments.push({ text, findings: [] });
	return segments;
}

function clamp(value: number, max: number): number {
	if (!Number.isFinite(value)) return 0;
	return Math.max(0, Math.min(Math.trunc(value), max));
}

function sameSet(a: number[], b: number[]): boolean {
	return a.length === b.length && a.every((value, index) => value === b[index]);
}
