/**
 * How far to trust a draft: one function per confidence method, each returning its raw signals
 * and a score in [0, 1]. CONFIDENCE.md explains each method and the research it follows; the
 * numbers here (weights, blends) are the ones documented there.
 */
import type { ConfidenceMethod } from '../shared/itemContract';
import type { DraftAnswer, Judgement } from './draftAnswer';

export type { ConfidenceMethod };

export interface TopLogprob {
	token: string;
	logprob: number;
}

export interface TokenLogprob extends TopLogprob {
	top_logprobs?: TopLogprob[];
}

// A type alias, not an interface, so it fits the contract's open (loose) object type.
export type Confidence = {
	score: number;
	method: ConfidenceMethod;
	signals: Record<string, number>;
};

/** Weights of the `combined` method; components a run lacks are left out and the rest renormalised. */
export const COMBINED_WEIGHTS = { logprobs: 0.2, verbalized: 0.1, consistency: 0.35, judge: 0.35 } as const;

export type Component = keyof typeof COMBINED_WEIGHTS;

export function clamp01(value: number): number {
	if (!Number.isFinite(value)) return 0;
	return Math.min(1, Math.max(0, value));
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

// ---------------------------------------------------------------------------------------------
// logprobs

/** Where a JSON string or number value of `key` sits in the raw answer text: [start, end). */
export function findValueSpan(content: string, key: string): [number, number] | undefined {
	const keyMatch = new RegExp(`"${key}"\\s*:\\s*`).exec(content);
	if (!keyMatch) return undefined;
	const start = keyMatch.index + keyMatch[0].length;
	if (content[start] === '"') {
		for (let index = start + 1; index < content.length; index++) {
			if (content[index] === '\\') index++;
			else if (content[index] === '"') return [start + 1, index];
		}
		return undefined;
	}
	const number = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(content.slice(start));
	return number ? [start, start + number[0].length] : undefined;
}

interface PlacedToken extends TokenLogprob {
	start: number;
	end: number;
}

function placeTokens(tokens: TokenLogprob[]): PlacedToken[] {
	let offset = 0;
	return tokens.map((token) => {
		const placed = { ...token, start: offset, end: offset + token.token.length };
		offset = placed.end;
		return placed;
	});
}

/**
 * The self-rating's expected value under the model's own token distribution: at the first token
 * of the number where the top alternatives are numbers too, each alternative is substituted and
 * weighted by its probability (as G-Eval, Liu et al. 2023, weights rating tokens). A model that
 * wrote "0.9" but gave "0.5" a 40% chance gets 0.74, not 0.9.
 */
function expectedRating(content: string, span: [number, number], tokens: PlacedToken[]) {
	const [spanStart, spanEnd] = span;
	for (const token of tokens) {
		if (token.start < spanStart || token.end > spanEnd || !token.top_logprobs?.length) continue;
		const prefix = content.slice(spanStart, token.start);
		const suffix = content.slice(token.end, spanEnd);
		const candidates = [{ token: token.token, logprob: token.logprob }, ...token.top_logprobs.filter((top) => top.token !== token.token)]
			.map((top) => ({ p: Math.exp(top.logprob), value: Number(prefix + top.token.trim() + suffix) }))
			.filter((candidate) => Number.isFinite(candidate.value) && candidate.value >= 0 && candidate.value <= 1);
		if (candidates.length < 2) continue;
		const mass = candidates.reduce((sum, candidate) => sum + candidate.p, 0);
		return { value: candidates.reduce((sum, candidate) => sum + candidate.p * candidate.value, 0) / mass, tokenProb: Math.exp(token.logprob) };
	}
	return undefined;
}

/**
 * Length-normalised sequence probability of the reply (the geometric mean of its tokens'
 * probabilities; Malinin & Gales 2021), blended half and half with the probability-weighted
 * self-rating when the answer has one. `undefined` when the provider returned no log-probabilities.
 */
export function scoreFromLogprobs(
	content: string,
	answer: DraftAnswer,
	tokens: TokenLogprob[] | null | undefined,
): Confidence | undefined {
	if (!tokens || tokens.length === 0) return undefined;
	const placed = placeTokens(tokens);
	const span = findValueSpan(content, 'reply');
	const replyTokens = span ? placed.filter((token) => token.end > span[0] && token.start < span[1]) : placed;
	const used = replyTokens.length > 0 ? replyTokens : placed;
	const meanLogprob = used.reduce((sum, token) => sum + token.logprob, 0) / used.length;
	const minLogprob = Math.min(...used.map((token) => token.logprob));
	const replyProb = Math.exp(meanLogprob);
	const signals: Record<string, number> = {
		replyTokens: used.length,
		replyMeanLogprob: round(meanLogprob),
		replyMinTokenProb: round(Math.exp(minLogprob)),
		replyGeoMeanProb: round(replyProb),
	};
	let score = replyProb;
	const ratingSpan = answer.confidence !== undefined ? findValueSpan(content, 'confidence') : undefined;
	const rating = ratingSpan ? expectedRating(content, ratingSpan, placed) : undefined;
	if (rating) {
		signals.selfRatingExpected = round(rating.value);
		signals.selfRatingTokenProb = round(rating.tokenProb);
		score = 0.5 * replyProb + 0.5 * rating.value;
	}
	return { score: round(clamp01(score)), method: 'logprobs', signals };
}

// ---------------------------------------------------------------------------------------------
// verbalized

/** The model's own 0–1 rating from the structured answer (Xiong et al. 2024; Tian et al. 2023). */
export function scoreVerbalized(answer: DraftAnswer): Confidence | undefined {
	if (answer.confidence === undefined || !Number.isFinite(answer.confidence)) return undefined;
	return { score: round(clamp01(answer.confidence)), method: 'verbalized', signals: { selfRating: answer.confidence } };
}

// ---------------------------------------------------------------------------------------------
// consistency

function words(text: string): Set<string> {
	return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** Token-set F1 (the overlap measure of SQuAD-style answer matching). */
export function wordOverlapF1(a: string, b: string): number {
	const left = words(a);
	const right = words(b);
	if (left.size === 0 && right.size === 0) return 1;
	let shared = 0;
	for (const word of left) if (right.has(word)) shared++;
	if (shared === 0) return 0;
	const precision = shared / left.size;
	const recall = shared / right.size;
	return (2 * precision * recall) / (precision + recall);
}

function jaccard(a: string[], b: string[]): number {
	const left = new Set(a.map((flag) => flag.trim().toLowerCase()));
	const right = new Set(b.map((flag) => flag.trim().toLowerCase()));
	if (left.size === 0 && right.size === 0) return 1;
	let shared = 0;
	for (const flag of left) if (right.has(flag)) shared++;
	return shared / (left.size + right.size - shared);
}

/**
 * Agreement of the primary draft with k−1 further samples (self-consistency, Wang et al. 2023;
 * SelfCheckGPT, Manakul et al. 2023): 0.4 × the share of samples with the same intent, 0.4 × the
 * mean word-overlap F1 of the replies, 0.2 × the mean Jaccard agreement of the risk flags.
 * A sample that could not be parsed counts as full disagreement — it is evidence of doubt too.
 */
export function scoreConsistency(primary: DraftAnswer, samples: (DraftAnswer | undefined)[]): Confidence | undefined {
	if (samples.length === 0) return undefined;
	const intent = primary.intent.trim().toLowerCase();
	let intentAgreement = 0;
	let replySimilarity = 0;
	let riskFlagAgreement = 0;
	for (const sample of samples) {
		if (!sample) continue;
		if (sample.intent.trim().toLowerCase() === intent) intentAgreement++;
		replySimilarity += wordOverlapF1(primary.reply, sample.reply);
		riskFlagAgreement += jaccard(primary.riskFlags, sample.riskFlags);
	}
	const n = samples.length;
	const signals = {
		samples: n + 1,
		invalidSamples: samples.filter((sample) => !sample).length,
		intentAgreement: round(intentAgreement / n),
		replySimilarity: round(replySimilarity / n),
		riskFlagAgreement: round(riskFlagAgreement / n),
	};
	const score = 0.4 * signals.intentAgreement + 0.4 * signals.replySimilarity + 0.2 * signals.riskFlagAgreement;
	return { score: round(clamp01(score)), method: 'consistency', signals };
}

// ---------------------------------------------------------------------------------------------
// judge

/** A second model call grades the draft 1–10 (LLM-as-a-judge, Zheng et al. 2023); score = (rating − 1) / 9. */
export function scoreJudge(judgement: Judgement): Confidence {
	return {
		score: round(clamp01((judgement.rating - 1) / 9)),
		method: 'judge',
		signals: { judgeRating: judgement.rating, judgePass: judgement.verdict === 'pass' ? 1 : 0, judgeIssues: judgement.issues.length },
	};
}

// ---------------------------------------------------------------------------------------------
// combined

/**
 * The weighted mean of the components that are present ({@link COMBINED_WEIGHTS}), weights
 * renormalised over them. Every component's score and raw signals are kept in the signals.
 */
export function combineConfidence(parts: Partial<Record<Component, Confidence>>): Confidence | undefined {
	const present = (Object.keys(COMBINED_WEIGHTS) as Component[]).filter((component) => parts[component]);
	if (present.length === 0) return undefined;
	const totalWeight = present.reduce((sum, component) => sum + COMBINED_WEIGHTS[component], 0);
	const signals: Record<string, number> = {};
	let score = 0;
	for (const component of present) {
		const part = parts[component]!;
		const weight = COMBINED_WEIGHTS[component] / totalWeight;
		score += weight * part.score;
		signals[`${component}Score`] = part.score;
		signals[`${component}Weight`] = round(weight);
		Object.assign(signals, part.signals);
	}
	return { score: round(clamp01(score)), method: 'combined', signals };
}

/** Which calls and answer fields a method needs. */
export function methodNeeds(method: ConfidenceMethod) {
	return {
		logprobs: method === 'logprobs' || method === 'combined',
		// logprobs asks for the rating too: it is blended in, and it is the fallback when a model gives no logprobs
		rating: method === 'verbalized' || method === 'logprobs' || method === 'combined',
		samples: method === 'consistency' || method === 'combined',
		judge: method === 'judge' || method === 'combined',
	};
}
