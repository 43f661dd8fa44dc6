/**
 * Levenshtein distance between the draft and the text that went out: how much a reviewer
 * changed. Two rows of the table only (O(min(a, b)) memory). Texts past LIMIT characters are
 * compared on their first LIMIT characters plus the length difference, so a very long reply
 * cannot stall the node (the full table is a × b steps).
 */
const LIMIT = 8000;

export function editDistance(a: string, b: string): number {
	if (a === b) return 0;
	if (a.length > LIMIT || b.length > LIMIT) {
		return editDistance(a.slice(0, LIMIT), b.slice(0, LIMIT)) + Math.abs(Math.max(a.length, LIMIT) - Math.max(b.length, LIMIT));
	}
	const [short, long] = a.length <= b.length ? [a, b] : [b, a];
	let previous = Array.from({ length: short.length + 1 }, (_, i) => i);
	let current = new Array<number>(short.length + 1);
	for (let j = 1; j <= long.length; j++) {
		current[0] = j;
		for (let i = 1; i <= short.length; i++) {
			const substitution = previous[i - 1] + (short[i - 1] === long[j - 1] ? 0 : 1);
			current[i] = Math.min(substitution, previous[i] + 1, current[i - 1] + 1);
		}
		[previous, current] = [current, previous];
	}
	return previous[short.length];
}
