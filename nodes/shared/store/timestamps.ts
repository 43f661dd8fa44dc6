/** The store keeps every time twice: the ISO text as given, and its epoch ms for ranges and indexes. */
export function toMs(iso: string | null | undefined): number | null {
	if (!iso) return null;
	const ms = Date.parse(iso);
	return Number.isFinite(ms) ? ms : null;
}

export function requireMs(iso: string, field: string): number {
	const ms = toMs(iso);
	if (ms === null) throw new Error(`${field} is not an ISO timestamp: "${iso}"`);
	return ms;
}
