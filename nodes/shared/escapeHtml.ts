/** Escaping for every page the package serves (review page, Review Inbox): one implementation. */
const HTML_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
	'`': '&#96;',
};

const NEEDS_ESCAPING = /[&<>"'`]/;
const NEEDS_MORE_THAN_AMPERSANDS = /[<>"'`]/;

/** Escapes text for use in HTML content and in double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
	const text = typeof value === 'string' ? value : String(value ?? '');
	// Most texts (ids, dates, labels) have nothing to escape: a test is cheaper than a replace; and
	// links have only ampersands, which a plain replace escapes in half the time of the general one.
	if (!NEEDS_ESCAPING.test(text)) return text;
	return NEEDS_MORE_THAN_AMPERSANDS.test(text) ? text.replace(/[&<>"'`]/g, (char) => HTML_ESCAPES[char]) : text.replace(/&/g, '&amp;');
}
