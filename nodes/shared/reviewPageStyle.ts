/**
 * The one stylesheet of every review page, inlined (no external assets: the page must render
 * on a phone behind any proxy, and a restrictive CSP forbids loading anything). The CSP allows
 * exactly this stylesheet by its SHA-256 hash, so no other style — and no script at all — runs.
 */
import { createHash } from 'node:crypto';

export const REVIEW_PAGE_STYLE = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--ink:#1f2328;--muted:#59636e;--line:#d0d7de;
--accent:#2563eb;--ok:#15803d;--ok-bg:#dcfce7;--bad:#b91c1c;--bad-bg:#fee2e2;--warn:#b45309;--warn-bg:#fef3c7;
--info:#1d4ed8;--info-bg:#dbeafe;--mark:#fde68a}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--ink:#e6edf3;--muted:#9198a1;--line:#30363d;
--accent:#60a5fa;--ok:#4ade80;--ok-bg:#052e16;--bad:#f87171;--bad-bg:#450a0a;--warn:#fbbf24;--warn-bg:#451a03;
--info:#93c5fd;--info-bg:#172554;--mark:#854d0e}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:760px;margin:0 auto;padding:16px 12px 48px}
header.top{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px;margin:8px 4px 16px}
h1{font-size:1.35rem;margin:0;line-height:1.25}
h2{font-size:1.05rem;margin:0 0 8px}
h3{font-size:.8rem;margin:16px 0 6px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.meta{color:var(--muted);font-size:.875rem;margin:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px;margin:0 0 16px;min-width:0}
fieldset.card{margin-inline:0}
legend.item-title{float:left;width:100%;padding:0;font-weight:600;font-size:1.05rem;margin-bottom:4px}
legend.item-title+*{clear:both}
.case{color:var(--muted);font-weight:400;font-size:.85rem;word-break:break-all}
blockquote{margin:0;padding:10px 12px;border-left:4px solid var(--line);background:var(--bg);border-radius:0 8px 8px 0;white-space:pre-wrap;overflow-wrap:anywhere}
dl.context{display:grid;grid-template-columns:minmax(90px,max-content) 1fr;gap:4px 12px;margin:0}
dl.context dt{color:var(--muted)}
dl.context dd{margin:0;overflow-wrap:anywhere}
.confidence{display:flex;align-items:center;gap:10px}
meter{flex:1;max-width:240px;height:12px}
.score{font-variant-numeric:tabular-nums;font-weight:600}
ul.reasons,ol.findings{margin:0;padding-left:20px}
ul.reasons li,ol.findings li{margin:2px 0}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);padding:1px 4px;border-radius:4px}
.preview{white-space:pre-wrap;overflow-wrap:anywhere;padding:10px 12px;border:1px dashed var(--line);border-radius:8px}
mark{background:var(--mark);color:inherit;border-radius:3px;padding:0 1px;border-bottom:2px solid var(--warn)}
mark.sev-block{border-bottom-color:var(--bad)}
sup.ref{font-size:.7em;font-weight:700;color:var(--warn)}
.sev{display:inline-block;font-size:.72rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:1px 6px;border-radius:999px;margin-right:6px}
.sev-block .sev,.sev.sev-block{background:var(--bad-bg);color:var(--bad)}
.sev.sev-review{background:var(--warn-bg);color:var(--warn)}
.sev.sev-info{background:var(--info-bg);color:var(--info)}
label{display:block;font-weight:600;margin:14px 0 6px}
.hint{font-weight:400;color:var(--muted);font-size:.85rem}
textarea,select,input[type=text]{width:100%;font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
textarea{resize:vertical;min-height:7em;line-height:1.45}
textarea.draft{min-height:10em}
textarea:focus,select:focus,input:focus,button:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:0 12px}
@media (max-width:560px){.row{grid-template-columns:1fr}}
.actions{display:flex;flex-wrap:wrap;gap:10px;margin-top:18px}
button{font:inherit;font-weight:600;min-height:48px;padding:10px 18px;border-radius:10px;border:1px solid transparent;cursor:pointer;flex:1 1 140px}
.btn-approve{background:var(--ok);color:#fff}
.btn-reject{background:var(--bad);color:#fff}
.btn-escalate{background:var(--warn-bg);color:var(--warn);border-color:var(--warn)}
.btn-secondary{background:var(--card);color:var(--ink);border-color:var(--line)}
@media (prefers-color-scheme:dark){.btn-approve,.btn-reject{color:#0d1117}}
.choices{display:flex;flex-wrap:wrap;gap:8px;border:0;padding:0;margin:12px 0 0}
.choices legend{font-weight:600;margin-bottom:6px;padding:0}
.choice{position:relative;flex:1 1 100px}
.choice input{position:absolute;opacity:0;inset:0;margin:0;width:100%;height:100%;cursor:pointer}
.choice span{display:block;text-align:center;font-weight:600;padding:10px;border:1px solid var(--line);border-radius:10px;min-height:44px}
.choice input:focus-visible+span{outline:3px solid var(--accent);outline-offset:1px}
.choice input:checked+span.c-approve{background:var(--ok);border-color:var(--ok);color:#fff}
.choice input:checked+span.c-reject{background:var(--bad);border-color:var(--bad);color:#fff}
.choice input:checked+span.c-escalate{background:var(--warn);border-color:var(--warn);color:#fff}
details{margin-top:10px}
summary{cursor:pointer;color:var(--accent);font-weight:600;min-height:32px}
.notice{border-radius:10px;padding:12px 14px;margin:0 0 16px;border:1px solid}
.notice-error{background:var(--bad-bg);color:var(--bad);border-color:var(--bad)}
.notice-ok{background:var(--ok-bg);color:var(--ok);border-color:var(--ok)}
.notice-warn{background:var(--warn-bg);color:var(--warn);border-color:var(--warn)}
.notice ul{margin:6px 0 0;padding-left:20px}
.progress{margin:0;padding-left:20px}
.result{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:8px 0 0}
.pill{display:inline-block;font-size:.8rem;font-weight:700;border-radius:999px;padding:2px 10px}
.pill-approved,.pill-edited{background:var(--ok-bg);color:var(--ok)}
.pill-rejected{background:var(--bad-bg);color:var(--bad)}
.pill-escalated,.pill-pending{background:var(--warn-bg);color:var(--warn)}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skip{position:absolute;left:-9999px}.skip:focus{left:12px;top:12px;background:var(--card);padding:8px;z-index:1}
footer{color:var(--muted);font-size:.8rem;text-align:center;margin-top:24px}
`;

/**
 * The Content-Security-Policy of a page with exactly this inline stylesheet: nothing may load or
 * run except that stylesheet (allowed by its SHA-256 hash); forms may only post to the same
 * origin; the page cannot be framed (no click-jacking of the Approve button).
 */
export function pageCsp(style: string): string {
	const styleHash = createHash('sha256').update(style).digest('base64');
	return [
		"default-src 'none'",
		`style-src 'sha256-${styleHash}'`,
		"img-src 'none'",
		"script-src 'none'",
		"form-action 'self'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
	].join('; ');
}

/** Every header a page with this stylesheet is sent with. */
export function pageHeaders(style: string): Readonly<Record<string, string>> {
	return {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Security-Policy': pageCsp(style),
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'no-referrer',
		'X-Frame-Options': 'DENY',
		// A review link carries secrets in its query; keep the page (and the filled-in form) out of
		// shared caches and the back-forward cache of a shared device.
		'Cache-Control': 'no-store',
		'X-Robots-Tag': 'noindex, nofollow',
	};
}

/** The Content-Security-Policy header value of every review page. */
export const REVIEW_PAGE_CSP = pageCsp(REVIEW_PAGE_STYLE);

/** Every header a review page is sent with. */
export const REVIEW_PAGE_HEADERS: Readonly<Record<string, string>> = pageHeaders(REVIEW_PAGE_STYLE);
