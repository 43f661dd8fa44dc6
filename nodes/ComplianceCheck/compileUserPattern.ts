/**
 * Regular expressions typed by users, made safe to run on every message.
 *
 * A JavaScript regex cannot be interrupted from the thread that runs it, and patterns such as
 * `(a+)+$` or `(\w|\d)*x` take exponential time on a short hostile input. We defend twice:
 * 1. at compile time, {@link findCatastrophicConstruct} rejects the constructs that cause
 *    exponential backtracking (a repeated group containing a repetition, a repeated alternation
 *    whose branches can start with the same character, back-references), with an error saying why;
 * 2. at run time, all user patterns of a message run inside one `node:vm` call with a timeout —
 *    V8 terminates the script, regex included, when it expires (n8n's own safe-regex engine does
 *    the same). This bounds the polynomial cases the static check lets through (`.*.*.*x`).
 */
import { createContext, Script } from 'node:vm';

/** Why a pattern cannot be used; the message names the pattern and the construct. */
export class UnsafePatternError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'UnsafePatternError';
	}
}

interface GroupInfo {
	/** The group (or something inside it) repeats without a small bound. */
	repeats: boolean;
	/** First-character samples of each alternative, to see whether two alternatives overlap. */
	branchStarts: string[][];
	/** Whether the current branch has seen its first atom yet. */
	branchStarted: boolean;
	hasAlternation: boolean;
	start: number;
}

/** Characters that stand in for a class when testing whether two alternatives can start alike. */
const PROBES = ['a', 'A', 'z', '0', '5', '_', ' ', '\n', '-', '.', '@', 'é', '/', ':'];

function probesOf(atom: string, flags: string): string[] {
	if (atom.length === 1 && atom !== '.') return [flags.includes('i') ? atom.toLowerCase() : atom];
	try {
		const atomRegex = new RegExp(`^(?:${atom})`, flags.replace(/[gy]/g, ''));
		const starts = PROBES.filter((probe) => atomRegex.test(probe));
		// An atom none of the probes matches (a class of rare characters) still starts its branch.
		return starts.length > 0 ? starts : [`<${atom}>`];
	} catch {
		return PROBES; // unknown: assume it can start with anything
	}
}

/**
 * Returns a description of the first construct in `source` known to backtrack catastrophically,
 * or `undefined`. Conservative: it may reject a pattern that would have been fine, never the other
 * way round for the constructs it knows.
 */
export function findCatastrophicConstruct(source: string, flags = ''): string | undefined {
	const stack: GroupInfo[] = [{ repeats: false, branchStarts: [[]], branchStarted: false, hasAlternation: false, start: 0 }];
	let lastAtom: { text: string; group?: GroupInfo } | undefined;

	const noteAtom = (text: string, group?: GroupInfo) => {
		const top = stack[stack.length - 1];
		if (!top.branchStarted) {
			top.branchStarted = true;
			top.branchStarts[top.branchStarts.length - 1] = group ? group.branchStarts.flat() : probesOf(text, flags);
		}
		lastAtom = { text, group };
	};

	for (let index = 0; index < source.length; index++) {
		const char = source[index];
		if (char === '\\') {
			const next = source[index + 1] ?? '';
			if (/[1-9]/.test(next) || (next === 'k' && source[index + 2] === '<')) {
				return 'a back-reference (\\1, \\k<name>), whose matching time cannot be bounded';
			}
			let escape = source.slice(index, index + 2);
			if (next === 'u' && source[index + 2] === '{') escape = source.slice(index, source.indexOf('}', index) + 1);
			else if (next === 'u') escape = source.slice(index, index + 6);
			else if (next === 'x') escape = source.slice(index, index + 4);
			else if ((next === 'p' || next === 'P') && source[index + 2] === '{') escape = source.slice(index, source.indexOf('}', index) + 1);
			index += escape.length - 1;
			noteAtom(escape);
			continue;
		}
		if (char === '[') {
			let end = index + 1;
			if (source[end] === '^') end++;
			if (source[end] === ']') end++;
			while (end < source.length && source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
			noteAtom(source.slice(index, end + 1));
			index = end;
			continue;
		}
		if (char === '(') {
			let skip = 0;
			if (source[index + 1] === '?') {
				if (source[index + 2] === '<' && source[index + 3] !== '=' && source[index + 3] !== '!') skip = source.indexOf('>', index) - index;
				else skip = source[index + 2] === '<' ? 3 : 2;
			}
			stack.push({ repeats: false, branchStarts: [[]], branchStarted: false, hasAlternation: false, start: index });
			index += skip;
			lastAtom = undefined;
			continue;
		}
		if (char === ')') {
			const group = stack.pop();
			if (!group || stack.length === 0) return undefined; // unbalanced: RegExp reports it
			const parent = stack[stack.length - 1];
			if (group.repeats) parent.repeats = true;
			const text = source.slice(group.start, index + 1);
			noteAtom(text, group);
			continue;
		}
		if (char === '|') {
			const top = stack[stack.length - 1];
			top.hasAlternation = true;
			top.branchStarts.push([]);
			top.branchStarted = false;
			lastAtom = undefined;
			continue;
		}
		const quantifier = /^(?:[*+?]|\{(\d+)(,(\d*))?\})\??/.exec(source.slice(index));
		if (quantifier && lastAtom) {
			const [whole, , comma, max] = quantifier;
			const unbounded = whole[0] === '*' || whole[0] === '+' || (comma !== undefined && max === '');
			const repeatsMany = unbounded || (max !== undefined && max !== '' && Number(max) > 1) || (comma === undefined && quantifier[1] !== undefined && Number(quantifier[1]) > 1);
			const group = lastAtom.group;
			if (group && repeatsMany) {
				if (group.repeats) {
					return `a repeated group that contains a repetition, ${lastAtom.text}${whole} (nested quantifiers backtrack exponentially)`;
				}
				if (group.hasAlternation && alternativesOverlap(group.branchStarts)) {
					return `a repeated group whose alternatives can match the same text, ${lastAtom.text}${whole}`;
				}
			}
			if (unbounded || repeatsMany) stack[stack.length - 1].repeats = true;
			index += whole.length - 1;
			lastAtom = undefined;
			continue;
		}
		noteAtom(char === '.' ? '.' : char.replace(/[$^]/, ''));
		if (char === '^' || char === '$') lastAtom = undefined;
	}
	return undefined;
}

function alternativesOverlap(branchStarts: string[][]): boolean {
	const seen = new Set<string>();
	for (const starts of branchStarts) {
		if (starts.length === 0) return true; // an empty alternative overlaps everything
		for (const probe of starts) {
			if (seen.has(probe)) return true;
		}
		for (const probe of starts) seen.add(probe);
	}
	return false;
}

/** Compiles a user pattern after the static safety check; throws UnsafePatternError with the reason. */
export function compileUserPattern(source: string, flags: string | undefined, owner: string): RegExp {
	const cleanFlags = (flags ?? '').replace(/[gy]/g, '');
	let regex: RegExp;
	try {
		regex = new RegExp(source, `${cleanFlags}g`);
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- pure core has no node; the node shell wraps it in a NodeOperationError
		throw new UnsafePatternError(`${owner}: the pattern ${JSON.stringify(source)} is not a valid regular expression (${(error as Error).message})`);
	}
	const problem = findCatastrophicConstruct(source, cleanFlags);
	if (problem) {
		throw new UnsafePatternError(
			`${owner}: the pattern ${JSON.stringify(source)} could hang on some inputs: it has ${problem}. ` +
				'Rewrite it without nesting repetitions, e.g. (ab)+ instead of (a+b?)+, or \\w+ instead of (\\w|\\d)+.',
		);
	}
	return regex;
}

/** Cap on matches reported per pattern per message, so a pattern matching every character stays cheap. */
export const MAX_MATCHES_PER_PATTERN = 1000;

export type PatternMatches = [number, number][][];

interface Sandbox {
	/** The vm's globals: what a run reads (`patterns`, `text`, `max`) and writes (`result`). */
	globals: { patterns: RegExp[]; text: string; max: number; result: PatternMatches };
	context: object;
	script: Script;
}

let sandbox: Sandbox | undefined;

/**
 * One vm context and script for the whole process. Creating a context costs about a millisecond,
 * more than running a message's patterns, and a Compliance Check builds its runner on every
 * execution. Runs are synchronous, so runners can take turns with it.
 */
function sharedSandbox(): Sandbox {
	if (!sandbox) {
		const globals = { patterns: [] as RegExp[], text: '', max: MAX_MATCHES_PER_PATTERN, result: [] as PatternMatches };
		const script = new Script(`
			result = patterns.map((pattern) => {
				const spans = [];
				pattern.lastIndex = 0;
				for (let match = pattern.exec(text); match !== null && spans.length < max; match = pattern.exec(text)) {
					spans.push([match.index, match.index + match[0].length]);
					if (match[0].length === 0) pattern.lastIndex++;
				}
				return spans;
			});
		`);
		sandbox = { globals, context: createContext(globals), script };
	}
	return sandbox;
}

/**
 * Runs a fixed list of compiled patterns over texts, all patterns of one text in one vm call
 * bounded by `timeoutMs`. Returns, per pattern, the `[start, end)` spans of its matches, or
 * `'timeout'` when the time ran out (the text was then not checked against the patterns).
 */
export class BoundedPatternRunner {
	constructor(
		private readonly patterns: RegExp[],
		private readonly timeoutMs: number,
	) {}

	get size(): number {
		return this.patterns.length;
	}

	run(text: string): PatternMatches | 'timeout' {
		if (this.patterns.length === 0) return [];
		const { globals, context, script } = sharedSandbox();
		globals.patterns = this.patterns;
		globals.text = text;
		try {
			script.runInContext(context, { timeout: this.timeoutMs });
			// Arrays made in the vm's realm; copy into ours so callers get ordinary arrays.
			return globals.result.map((spans) => spans.map(([start, end]) => [start, end] as [number, number]));
		} catch (error) {
			if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- pure core has no node; the node shell wraps it in a NodeOperationError
			throw error;
		} finally {
			// Nothing of this message stays in the shared context.
			globals.patterns = [];
			globals.text = '';
			globals.result = [];
		}
	}
}
