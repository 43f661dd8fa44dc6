/**
 * The credential's "Extra Headers": a JSON object of header names to values, for gateways that
 * want more than a bearer token (OpenRouter's `HTTP-Referer`, LiteLLM's team keys, Azure's
 * `api-key`). Shared by the credential (its test request) and the node (the SDK client).
 */
export function parseExtraHeaders(
	raw: unknown,
): { ok: true; headers: Record<string, string> } | { ok: false; problem: string } {
	if (raw === undefined || raw === null || raw === '') return { ok: true, headers: {} };
	let value: unknown = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			return { ok: false, problem: 'Extra Headers must be a JSON object such as {"HTTP-Referer": "https://example.com"}' };
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return { ok: false, problem: 'Extra Headers must be a JSON object of header names to values' };
	}
	const headers = Object.fromEntries(
		Object.entries(value as Record<string, unknown>)
			.filter(([name, headerValue]) => name.trim() !== '' && headerValue !== undefined && headerValue !== null)
			.map(([name, headerValue]) => [name.trim(), String(headerValue)]),
	);
	return { ok: true, headers };
}
