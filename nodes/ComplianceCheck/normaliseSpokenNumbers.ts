/**
 * Call transcripts spell numbers out ("four one one one, one one one one …"), which no digit
 * pattern sees. This opt-in pass rewrites runs of spoken digits into digits, keeping a map back to
 * the original text so that findings still carry spans into the string the user gave us.
 *
 * Only runs of at least {@link MIN_SPOKEN_DIGITS} digit words are rewritten, so ordinary prose
 * ("one of the two") is left alone; "oh"/"o" count as zero only inside such a run.
 */

const DIGIT_WORDS: Readonly<Record<string, string>> = {
	zero: '0', oh: '0', o: '0', nought: '0', one: '1', two: '2', three: '3', four: '4', five: '5',
	six: '6', seven: '7', eight: '8', nine: '9',
};
const REPEATERS: Readonly<Record<string, number>> = { double: 2, triple: 3 };

/** Fewer spoken digits than this cannot be any PII type we look for (a CVV has three). */
const MIN_SPOKEN_DIGITS = 3;

/** A word, or a run of separators between words, in a candidate run. */
const TOKEN = /[A-Za-z]+|[\s,-]+|[^A-Za-z\s,-]+/g;

const SEPARATORS_ONLY = /^[\s,-]+$/;
const PAUSE = /[,-]/;

interface Segment {
	/** Start in the normalised text. */
	normalisedStart: number;
	normalisedLength: number;
	originalStart: number;
	originalLength: number;
	/** For each character of the replacement, the original span it stands for. */
	origins: [number, number][];
}

export interface NormalisedText {
	text: string;
	/** Maps a `[start, end)` span of the normalised text back to the original text. */
	toOriginalSpan(span: [number, number]): [number, number];
}

interface Replacement {
	start: number;
	end: number;
	/** One digit per spoken digit; a single space where the speaker paused (comma or dash). */
	replacement: string;
	origins: [number, number][];
}

const IDENTITY: NormalisedText['toOriginalSpan'] = (span) => [span[0], span[1]];

export function normaliseSpokenNumbers(original: string): NormalisedText {
	const replacements = findSpokenRuns(original);
	if (replacements.length === 0) return { text: original, toOriginalSpan: IDENTITY };

	const segments: Segment[] = [];
	let text = '';
	let cursor = 0;
	for (const { start, end, replacement, origins } of replacements) {
		if (start > cursor) text += original.slice(cursor, start);
		segments.push({
			normalisedStart: text.length,
			normalisedLength: replacement.length,
			originalStart: start,
			originalLength: end - start,
			origins,
		});
		text += replacement;
		cursor = end;
	}
	text += original.slice(cursor);

	const toOriginal = (position: number, isEnd: boolean): number => {
		// Positions outside every replaced run shift by the length change of the runs before them.
		let shift = 0;
		for (const segment of segments) {
			const segmentEnd = segment.normalisedStart + segment.normalisedLength;
			if (position < segment.normalisedStart || (isEnd && position === segment.normalisedStart)) break;
			if (position < segmentEnd || (isEnd && position === segmentEnd)) {
				// Inside a rewritten run each digit maps back to the word it was spoken as.
				const offset = position - segment.normalisedStart;
				return isEnd ? segment.origins[offset - 1][1] : segment.origins[offset][0];
			}
			shift = segment.originalStart + segment.originalLength - segmentEnd;
		}
		return position + shift;
	};
	return { text, toOriginalSpan: (span) => [toOriginal(span[0], false), toOriginal(span[1], true)] };
}

function findSpokenRuns(text: string): Replacement[] {
	const runs: Replacement[] = [];
	let runStart = -1;
	let runEnd = -1;
	let digits = '';
	let origins: [number, number][] = [];
	let pendingRepeat = 1;
	let pause = false;
	let repeatStart = -1;
	let lastSeparator: [number, number] = [0, 0];

	const closeRun = () => {
		if (digits.replace(/ /g, '').length >= MIN_SPOKEN_DIGITS) runs.push({ start: runStart, end: runEnd, replacement: digits, origins });
		runStart = -1;
		digits = '';
		origins = [];
		pendingRepeat = 1;
		pause = false;
		repeatStart = -1;
	};

	TOKEN.lastIndex = 0;
	for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
		const token = match[0];
		const first = token.charCodeAt(0);
		const isWord = (first >= 65 && first <= 90) || (first >= 97 && first <= 122);
		if (!isWord) {
			// Separators keep a run open; anything else (a digit, a full stop) closes it.
			if (!SEPARATORS_ONLY.test(token) || token.includes('\n\n')) closeRun();
			// A spoken pause (comma, dash) separates digit groups the way a space does in print.
			else if (runStart >= 0 && PAUSE.test(token)) {
				pause = true;
				lastSeparator = [match.index, match.index + token.length];
			}
			continue;
		}
		const word = token.toLowerCase();
		const digit = DIGIT_WORDS[word];
		const repeat = REPEATERS[word];
		if (repeat !== undefined) {
			if (runStart < 0) runStart = match.index;
			pendingRepeat = repeat;
			repeatStart = match.index;
			continue;
		}
		if (digit === undefined || ((word === 'o' || word === 'oh') && runStart < 0)) {
			closeRun();
			continue;
		}
		if (runStart < 0) runStart = match.index;
		if (pause && digits.length > 0) {
			digits += ' ';
			origins.push(lastSeparator);
		}
		const wordEnd = match.index + token.length;
		for (let count = 0; count < pendingRepeat; count++) {
			digits += digit;
			origins.push([pendingRepeat > 1 ? repeatStart : match.index, wordEnd]);
		}
		pendingRepeat = 1;
		repeatStart = -1;
		pause = false;
		runEnd = match.index + token.length;
	}
	closeRun();
	return runs;
}
