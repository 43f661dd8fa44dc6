/**
 * The frame of every page the package serves (the review page, the Review Inbox): no external
 * assets, not indexed, no referrer leaked, phone-sized, a skip link for screen readers. One
 * implementation, so a fix to the frame reaches every page.
 */
import { escapeHtml } from './escapeHtml';

export interface PageFrame {
	title: string;
	/** The page's whole stylesheet, inlined (the Content-Security-Policy allows no external one). */
	style: string;
	/** The skip link's text, e.g. "Skip to the review". */
	skipLabel: string;
	footer: string;
	body: string;
	/** An inline script whose hash the page's Content-Security-Policy allows; none by default. */
	script?: string;
}

export function pageLayout(frame: PageFrame): string {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(frame.title)}</title>
<style>${frame.style}</style>
</head>
<body>
<a class="skip" href="#main">${escapeHtml(frame.skipLabel)}</a>
<div class="wrap">
${frame.body}
<footer>${escapeHtml(frame.footer)}</footer>
</div>${frame.script ? `\n<script>${frame.script}</script>` : ''}
</body>
</html>`;
}
