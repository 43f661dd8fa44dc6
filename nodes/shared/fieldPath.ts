/**
 * Reading a value from an item's JSON by a dot path, as n8n's own "field name" parameters do
 * (`customer.address.city`, `items[0].sku`). Kept tiny and dependency-free for the pure cores.
 */

/** Splits `a.b[0].c` into `['a', 'b', '0', 'c']`. */
export function splitFieldPath(path: string): string[] {
	return path
		.replace(/\[(\w+)\]/g, '.$1')
		.split('.')
		.map((segment) => segment.trim())
		.filter((segment) => segment.length > 0);
}

/** The value at `path`, or `undefined` when any step on the way is missing. */
export function getFieldValue(json: unknown, path: string): unknown {
	let current: unknown = json;
	for (const segment of splitFieldPath(path)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[segment];
	}
	return current;
}
