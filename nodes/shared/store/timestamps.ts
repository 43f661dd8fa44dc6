const digit = (text: string, at: number) => text.charCodeAt(at) - 48;
const number = (text: string, at: number, length: number) => {
	let value = 0;
	for (let index = at; index < at + length; index++) {
		const d = digit(text, index);
		if (d < 0 || d > 9) return -1;
		value = value * 10 + d;
	}
	return value;
};

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ`, the form `Date.prototype.toISOString` writes (and every time the
 * nodes record), read without `Date.parse`: the store reads three or more per decision on its
 * recording path. Null for anything else (day 29 and up included: Date.parse judges the month).
 */
function canonicalIsoMs(iso: string): number | null {
	if (iso.length !== 24 || iso[4] !== '-' || iso[7] !== '-' || iso[10] !== 'T' || iso[13] !== ':' || iso[16] !== ':' || iso[19] !== '.' || iso[23] !== 'Z') return null;
	const year = number(iso, 0, 4);
	const month = number(iso, 5, 2);
	const day = number(iso, 8, 2);
	const hour = number(iso, 11, 2);
	const minute = number(iso, 14, 2);
	const second = number(iso, 17, 2);
	const ms = number(iso, 20, 3);
	// Date.UTC reads years 0–99 as 1900–1999.
	if (year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return null;
	return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The store keeps every time twice: the ISO text as given, and its epoch ms for ranges and indexes. */
export function toMs(iso: string | null | undefined): number | null {
	if (!iso) return null;
	const fast = canonicalIsoMs(iso);
	if (fast !== null) return fast;
	const ms = Date.parse(iso);
	return Number.isFinite(ms) ? ms : null;
}

export function requireMs(iso: string, field: string): number {
	const ms = toMs(iso);
	if (ms === null) throw new Error(`${field} is not an ISO timestamp: "${iso}"`);
	return ms;
}
