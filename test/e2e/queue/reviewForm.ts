/**
 * A reviewer answering a review page over plain HTTP, as a browser posts its form: GET the page,
 * keep its hidden fields and draft texts, POST them back with the button pressed.
 */
const decodeHtml = (html: string) =>
	html
		.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
		.replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
		.replace(/&quot;/g, '"')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&');

/** What a browser would post from the review page: its hidden fields and draft texts, plus the button. */
export function formFields(html: string, action: string): Record<string, string> {
	const fields: Record<string, string> = { action };
	for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[name] = decodeHtml(value);
	for (const [, name, value] of html.matchAll(/<textarea[^>]* name="(text_\d+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[name] = decodeHtml(value);
	return fields;
}

export interface PostedAnswer {
	/** The page as the reviewer first saw it. */
	page: string;
	status: number;
	/** The answer page. */
	body: string;
}

/**
 * Opens a review link and presses a button (`approve`, `reject`, `escalate`); `text` replaces the
 * draft first (an edit). Throws when the page does not open.
 */
export async function answerReview(link: string, action: string, text?: string): Promise<PostedAnswer> {
	const opened = await fetch(link);
	const page = await opened.text();
	if (opened.status !== 200) throw new Error(`The review page ${link} answered ${opened.status}: ${page.slice(0, 500)}`);
	const fields = formFields(page, action);
	if (text !== undefined) fields.text_0 = text;
	const posted = await fetch(link, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields),
	});
	return { page, status: posted.status, body: await posted.text() };
}
