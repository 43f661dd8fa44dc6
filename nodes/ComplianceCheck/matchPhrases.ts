/**
 * Phrase matching that ignores case, punctuation and spacing, with optional small edits — the
 * shared core of required disclosures and prohibited phrases. Text is cut into words (letters and
 * digits of any script); a phrase matches a run of words, so "Risk-free", "risk free" and
 * "RISK  FREE!" are one phrase, and spans still point into the original string.
 */

export interface WordToken {
	word: string;
	start: number;
	end: number;
}

/** A letter, digit or combining mark of any script (tested only on non-ASCII characters). */
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

function isAsciiWordChar(code: number): boolean {
	return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/**
 * The words of `text` — runs of letters, digits and combining marks of any script — lower-cased
 * and in Unicode NFC (so "cafe\u0301" and "café" are one word), with their `[start, end)` spans
 * in UTF-16 code units of the original text. A hand-written scan: ASCII, most of any customer
 * message, is decided without a regex; other characters by one Unicode-property test each.
 */
export function tokenizeWords(text: string): WordToken[] {
	const tokens: WordToken[] = [];
	let start = -1;
	let ascii = true;
	const close = (end: number) => {
		const raw = text.slice(start, end);
		const word = ascii ? raw.toLowerCase() : raw.normalize('NFC').toLowerCase();
		tokens.push({ word, start, end });
		start = -1;
		ascii = true;
	};
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		let isWordChar: boolean;
		let width = 1;
		if (code < 128) isWordChar = isAsciiWordChar(code);
		else {
			const point = text.codePointAt(index)!;
			width = point > 0xffff ? 2 : 1;
			isWordChar = WORD_CHAR.test(String.fromCodePoint(point));
		}
		if (isWordChar) {
			if (start < 0) {
				start = index;
				ascii = true;
			}
			if (code >= 128) ascii = false;
		} else if (start >= 0) close(index);
		index += width - 1;
	}
	if (start >= 0) close(text.length);
	return tokens;
}

/** `text` reduced to lower-case words separated by single spaces. */
export function normalisePhrase(text: string): string {
	return tokenizeWords(text)
		.map((token) => token.word)
		.join(' ');
}

/**
 * Levenshtein distance if it is at most `limit`, else `limit + 1`. Two-row DP with an early exit
 * once a whole row exceeds the limit; words are short, so this costs little.
 */
export function boundedEditDistance(a: string, b: string, limit: number): number {
	if (a === b) return 0;
	if (Math.abs(a.length - b.length) > limit) return limit + 1;
	let previous = new Array<number>(b.length + 1);
	let current = new Array<number>(b.length + 1);
	for (let j = 0; j <= b.length; j++) previous[j] = j;
	for (let i = 1; i <= a.length; i++) {
		current[0] = i;
		let rowMin = current[0];
		for (let j = 1; j <= b.length; j++) {
			const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
			current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
			if (current[j] < rowMin) rowMin = current[j];
		}
		if (rowMin > limit) return limit + 1;
		[previous, current] = [current, previous];
	}
	return Math.min(previous[b.length], limit + 1);
}

/** Edits allowed on one word: none on short words, where one edit changes the word ("can"→"cat"). */
function wordEditBudget(word: string, maxEdits: number): number {
	if (word.length < 5) return 0;
	if (word.length < 9) return Math.min(1, maxEdits);
	return maxEdits;
}

const MAX_CACHED_WORDS = 50_000;

interface CompiledPhrase {
	index: number;
	words: string[];
	/** The phrase's words run together, to match "riskfree" against "risk free". */
	joined: string;
}

export interface PhraseHit {
	/** Index of the phrase in the list the matcher was built from. */
	phrase: number;
	span: [number, number];
	edits: number;
}

/**
 * Matches a fixed list of phrases against texts. Built once per rule set; for each text, each
 * distinct word is compared with the phrase words once (a cache), so cost grows with the text's
 * length, not with length × phrases × edits.
 */
export class PhraseMatcher {
	private readonly phrases: CompiledPhrase[];
	/** Every distinct phrase word (and joined phrase), for fuzzy lookups. */
	private readonly vocabulary: string[];
	private readonly vocabularySet: Set<string>;
	/** Lengths a text word may have to be within the edit budget of some phrase word. */
	private readonly fuzzyLengths = new Set<number>();

	constructor(
		phrases: readonly string[],
		private readonly maxEdits = 0,
	) {
		this.phrases = phrases
			.map((phrase, index) => {
				const words = normalisePhrase(phrase).split(' ').filter(Boolean);
				return { index, words, joined: words.join('') };
			})
			.filter((phrase) => phrase.words.length > 0);
		this.vocabulary = [...new Set(this.phrases.flatMap((phrase) => [...phrase.words, phrase.joined]))];
		this.vocabularySet = new Set(this.vocabulary);
		for (const word of this.vocabulary) {
			const budget = maxEdits === 0 ? 0 : wordEditBudget(word, maxEdits);
			for (let length = word.length - budget; budget > 0 && length <= word.length + budget; length++) this.fuzzyLengths.add(length);
		}
	}

	/**
	 * Text word → (phrase word → edits). Kept across texts, since customer messages reuse the same
	 * few thousand words; cleared when it grows past {@link MAX_CACHED_WORDS} so memory stays bounded.
	 */
	private readonly cache = new Map<string, Map<string, number>>();

	private closeWords(word: string): Map<string, number> {
		let close = this.cache.get(word);
		if (close) return close;
		close = new Map();
		for (const candidate of this.vocabulary) {
			if (candidate === word) close.set(candidate, 0);
			else if (this.maxEdits > 0) {
				const budget = wordEditBudget(candidate, this.maxEdits);
				if (budget > 0) {
					const distance = boundedEditDistance(word, candidate, budget);
					if (distance <= budget) close.set(candidate, distance);
				}
			}
		}
		if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
		this.cache.set(word, close);
		return close;
	}

	/** Whether any phrase occurs among the words that end at or before `end`. */
	occursBefore(tokens: readonly WordToken[], end: number): boolean {
		return this.findAll(tokens).some((hit) => hit.span[1] <= end);
	}

	/** All hits in `tokens`, left to right; overlapping hits of different phrases are all kept. */
	findAll(tokens: readonly WordToken[]): PhraseHit[] {
		if (this.phrases.length === 0 || tokens.length === 0) return [];
		const closeWords = (word: string) => this.closeWords(word);

		const hits: PhraseHit[] = [];
		for (let at = 0; at < tokens.length; at++) {
			const word = tokens[at].word;
			// Most words of a text are far from every phrase word; rule them out without a lookup.
			if (!this.fuzzyLengths.has(word.length) && !this.vocabularySet.has(word)) continue;
			const first = closeWords(word);
			if (first.size === 0) continue;
			for (const phrase of this.phrases) {
				// Written as one word ("riskfree", "risk-free" is already two words).
				const joinedEdits = phrase.words.length > 1 ? first.get(phrase.joined) : undefined;
				if (joinedEdits !== undefined && joinedEdits <= this.maxEdits) {
					hits.push({ phrase: phrase.index, span: [tokens[at].start, tokens[at].end], edits: joinedEdits });
					continue;
				}
				if (at + phrase.words.length > tokens.length) continue;
				let edits = 0;
				for (let offset = 0; offset < phrase.words.length && edits <= this.maxEdits; offset++) {
					const distance = (offset === 0 ? first : closeWords(tokens[at + offset].word)).get(phrase.words[offset]);
					edits = distance === undefined ? this.maxEdits + 1 : edits + distance;
				}
				if (edits <= this.maxEdits) {
					hits.push({ phrase: phrase.index, span: [tokens[at].start, tokens[at + phrase.words.length - 1].end], edits });
				}
			}
		}
		return hits;
	}
}

const SENTENCE_END = /[.!?]+(?=\s|$)|\n+/g;

/**
 * The end offset of the first `count` sentences of `text`. A sentence ends at `.`, `!` or `?`
 * followed by whitespace, or at a line break — good enough for the "notice comes first" rules,
 * which need only a rough cut.
 */
export function endOfSentences(text: string, count: number): number {
	let seen = 0;
	SENTENCE_END.lastIndex = 0;
	for (let match = SENTENCE_END.exec(text); match !== null; match = SENTENCE_END.exec(text)) {
		seen++;
		if (seen === count) return SENTENCE_END.lastIndex;
	}
	return text.length;
}
