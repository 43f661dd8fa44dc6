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

/** Escapes text for use in HTML content and in double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
	const text = String(value ?? '');
	// Most texts (ids, dates, labels) have nothing to escape: a test is cheaper than a replace.
	return NEEDS_ESCAPING.test(text) ? text.replace(/[&<>"'`]/g, (char) => HTML_ESCAPES[char]) : text;
}
