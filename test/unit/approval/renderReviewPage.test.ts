import {
	escapeHtml,
	renderAnswerPage,
	renderReviewPage,
	REVIEW_PAGE_CSP,
	REVIEW_PAGE_HEADERS,
	type ReviewItemView,
	type ReviewPageView,
} from '../../../nodes/HumanApprovalWait/renderReviewPage';
import { REVIEW_PAGE_STYLE } from '../../../nodes/HumanApprovalWait/reviewPageStyle';
import { createHash } from 'node:crypto';

const PAYLOADS = [
	'<script>alert(1)</script>',
	'"><img src=x onerror=alert(2)>',
	"'><svg onload=alert(3)>",
	'</textarea><script>alert(4)</script>',
	'`${alert(5)}`',
	'<a href="javascript:alert(6)">x</a>',
	'</title><script>alert(7)</script>',
	'<style>body{display:none}</style>',
];

function item(overrides: Partial<ReviewItemView> = {}): ReviewItemView {
	return {
		caseId: 'case-1',
		customerMessage: 'Where is my refund?',
		context: [{ label: 'Order', value: 'A-1001' }],
		draft: 'Your refund of 20 EUR was sent.',
		confidence: 0.62,
		whyReview: ['The model is only 62% sure of this draft; replies go out without a person from 85%.'],
		findings: [],
		...overrides,
	};
}

function page(overrides: Partial<ReviewPageView> = {}): ReviewPageView {
	return {
		title: 'Review the draft reply',
		items: [item()],
		reasons: ['Tone', 'Wrong information'],
		token: 'tok-123',
		askReviewerName: true,
		approvalsNeeded: 1,
		answered: [],
		allowEdit: true,
		requireReasonToReject: false,
		...overrides,
	};
}

/** Every tag name that appears in the HTML. */
function tags(html: string): string[] {
	return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((match) => match[1].toLowerCase());
}

describe('escapeHtml', () => {
	it('escapes the characters that open tags, end attributes or start template literals', () => {
		expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;');
	});
	it('renders null and undefined as empty', () => {
		expect(escapeHtml(undefined)).toBe('');
		expect(escapeHtml(null)).toBe('');
	});
});

describe('renderReviewPage: escaping of user content', () => {
	it('turns no injected payload into markup, wherever it appears', () => {
		const everywhere = PAYLOADS.join(' ');
		const html = renderReviewPage(
			page({
				title: everywhere,
				instructions: everywhere,
				reasons: PAYLOADS,
				reviewer: { id: everywhere, name: everywhere },
				answered: [{ name: everywhere, at: '2026-01-01T00:00:00Z' }],
				approvalsNeeded: 2,
				problems: [everywhere],
				items: [
					item({
						caseId: everywhere,
						customerMessage: everywhere,
						context: [{ label: everywhere, value: everywhere }],
						draft: everywhere,
						whyReview: [everywhere],
						findings: [{ ruleId: everywhere, severity: 'block', message: everywhere, fix: everywhere, span: [0, 10] }],
					}),
				],
			}),
		);
		const found = new Set(tags(html));
		for (const forbidden of ['script', 'img', 'svg', 'iframe', 'object', 'embed', 'link', 'base']) {
			expect(found.has(forbidden)).toBe(false);
		}
		// Exactly the one stylesheet of the page, and one textarea close per text area.
		expect(html.match(/<style>/g)).toHaveLength(1);
		expect(html.match(/<\/textarea>/g)!.length).toBe(html.match(/<textarea/g)!.length);
		// Escaped payload text may read "onerror=", but no tag of the page may carry such an attribute:
		// with quoted attribute values blanked out, what is left inside tags is our own markup.
		const markup = html.replace(/"[^"]*"/g, '""');
		expect(markup).not.toMatch(/<[a-zA-Z][^>]*\son[a-z]+=/i);
		expect(html).not.toMatch(/(?:href|src|action)="\s*javascript:/i);
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
	});

	it('keeps the draft text intact inside the text area (escaped, so the browser shows it verbatim)', () => {
		const draft = 'Line 1 & <b>bold</b>\nLine 2 "quoted"';
		const html = renderReviewPage(page({ items: [item({ draft })] }));
		expect(html).toContain(`>${escapeHtml(draft)}</textarea>`);
	});
});

describe('renderReviewPage: content and accessibility', () => {
	it('shows the customer message, context, confidence, gate reasons and the reason list', () => {
		const html = renderReviewPage(page());
		expect(html).toContain('Where is my refund?');
		expect(html).toContain('<dt>Order</dt><dd>A-1001</dd>');
		expect(html).toMatch(/<meter[^>]*value="62"/);
		expect(html).toContain('The model is only 62% sure of this draft');
		expect(html).toContain('<option value="Tone">Tone</option>');
	});

	it('carries its render time in a hidden field, escaped', () => {
		expect(renderReviewPage(page({ shownAt: '2026-12-01T10:00:00.000Z' }))).toContain(
			'<input type="hidden" name="shownAt" value="2026-12-01T10:00:00.000Z">',
		);
		expect(renderReviewPage(page({ shownAt: '"><script>' }))).toContain('name="shownAt" value="&quot;&gt;&lt;script&gt;"');
		expect(renderReviewPage(page())).not.toContain('name="shownAt"');
	});

	it('labels every form control', () => {
		const html = renderReviewPage(page({ items: [item(), item({ caseId: 'case-2' })] }));
		const ids = [...html.matchAll(/<(?:textarea|select|input type="text")[^>]*id="([^"]+)"/g)].map((match) => match[1]);
		expect(ids.length).toBeGreaterThan(0);
		for (const id of ids) expect(html).toContain(`for="${id}"`);
		// Radio inputs are wrapped by their label.
		expect(html).toMatch(/<label class="choice"><input type="radio"/);
	});

	it('has no script and no external URL, and is sized for phones', () => {
		const html = renderReviewPage(page());
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/(?:src|href)="https?:/i);
		expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
		expect(html).toContain('<html lang="en">');
	});

	it('posts to its own URL with the token, and offers three buttons for a single item', () => {
		const html = renderReviewPage(page());
		expect(html).toContain('<form method="post" action=""');
		expect(html).toContain('<input type="hidden" name="token" value="tok-123">');
		for (const action of ['approve', 'reject', 'escalate']) expect(html).toContain(`name="action" value="${action}"`);
		expect(html).not.toContain('decision_0');
	});

	it('marks the text area read-only when edits are not allowed', () => {
		expect(renderReviewPage(page({ allowEdit: false }))).toMatch(/<textarea class="draft"[^>]* readonly/);
		expect(renderReviewPage(page({ allowEdit: true }))).not.toMatch(/<textarea class="draft"[^>]* readonly/);
	});

	it('names the reviewer of a personal link and does not ask for a name', () => {
		const html = renderReviewPage(page({ reviewer: { id: 'ann@example.com', name: 'Ann' }, askReviewerName: false }));
		expect(html).toContain('Answering as <strong>Ann</strong>');
		expect(html).not.toContain('name="reviewerName"');
	});

	it('shows the quorum and who has answered', () => {
		const html = renderReviewPage(
			page({ approvalsNeeded: 2, answered: [{ name: 'Bob', at: '2026-03-01T10:00:00Z' }], items: [item({ progress: { approvals: 1, approvalsNeeded: 2 } })] }),
		);
		expect(html).toContain('2 approvals needed');
		expect(html).toContain('Bob');
		expect(html).toContain('1 of 2');
	});
});

describe('renderReviewPage: highlighted findings', () => {
	it('marks each finding span in a preview and lists the findings with their messages', () => {
		const draft = 'Call me at 555-1234 today.';
		const html = renderReviewPage(
			page({
				items: [
					item({
						draft,
						findings: [
							{ ruleId: 'pii.phone', severity: 'block', message: 'Phone number', span: [11, 19] },
							{ ruleId: 'disclosure.missing', severity: 'review', message: 'No disclosure' },
						],
					}),
				],
			}),
		);
		expect(html).toContain('<mark class="finding sev-block" aria-describedby="i0-finding-0">555-1234</mark>');
		expect(html).toContain('id="i0-finding-0"');
		expect(html).toContain('Phone number');
		expect(html).toContain('No disclosure');
	});

	it('shows each finding by its message, without the rule id (that stays on the item for the audit trail)', () => {
		const html = renderReviewPage(
			page({ items: [item({ findings: [{ ruleId: 'pii.phone', severity: 'review', message: 'Phone number in the reply' }] })] }),
		);
		expect(html).toContain('Phone number in the reply');
		expect(html).not.toContain('pii.phone');
		expect(html).not.toContain('<code>');
	});

	it('says in plain words what editing does', () => {
		const html = renderReviewPage(page());
		expect(html).toContain('the text you approve is what goes out');
		expect(html).not.toContain('“edited”');
	});

	it('shows no preview when no finding has a span', () => {
		const html = renderReviewPage(page({ items: [item({ findings: [{ ruleId: 'r', severity: 'info', message: 'm' }] })] }));
		expect(html).not.toContain('<mark');
		expect(html).toContain('Compliance findings');
	});
});

describe('renderReviewPage: batch layout', () => {
	const batch = page({ items: [item({ caseId: 'a' }), item({ caseId: 'b' }), item({ caseId: 'c' })] });
	const html = renderReviewPage(batch);

	it('lists every item in its own fieldset with its own decision, text, reason and comment fields', () => {
		expect(html.match(/<fieldset class="card"/g)).toHaveLength(3);
		for (const index of [0, 1, 2]) {
			for (const field of ['decision', 'text', 'reason', 'comment']) expect(html).toContain(`name="${field}_${index}"`);
			expect(html).toContain(`Item ${index + 1} of 3`);
		}
		expect(html.match(/type="radio" name="decision_1"/g)).toHaveLength(3);
	});

	it('offers "Submit decisions" and "Approve all remaining" instead of per-item buttons', () => {
		expect(html).toContain('name="action" value="submit"');
		expect(html).toContain('name="action" value="approveRemaining"');
		expect(html).not.toContain('name="action" value="reject"');
	});

	it('keeps element ids unique across items', () => {
		const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
		expect(new Set(ids).size).toBe(ids.length);
	});
});

describe('REVIEW_PAGE_CSP', () => {
	it('allows nothing but the page stylesheet, by its hash, and forbids framing and scripts', () => {
		const hash = createHash('sha256').update(REVIEW_PAGE_STYLE).digest('base64');
		expect(REVIEW_PAGE_CSP).toContain("default-src 'none'");
		expect(REVIEW_PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
		expect(REVIEW_PAGE_CSP).toContain("script-src 'none'");
		expect(REVIEW_PAGE_CSP).toContain("frame-ancestors 'none'");
		expect(REVIEW_PAGE_CSP).toContain("form-action 'self'");
		expect(REVIEW_PAGE_CSP).not.toContain('unsafe');
		expect(REVIEW_PAGE_HEADERS['Content-Security-Policy']).toBe(REVIEW_PAGE_CSP);
	});

	it('matches the stylesheet the page embeds', () => {
		const html = renderReviewPage(page());
		const embedded = html.match(/<style>([\s\S]*?)<\/style>/)![1];
		const hash = createHash('sha256').update(embedded).digest('base64');
		expect(REVIEW_PAGE_CSP).toContain(hash);
	});
});

describe('renderAnswerPage', () => {
	it('says a second submission changed nothing', () => {
		expect(renderAnswerPage({ kind: 'alreadyDecided', title: 'T' })).toContain('changed nothing');
		expect(renderAnswerPage({ kind: 'alreadyAnswered', title: 'T' })).toContain('changed nothing');
	});
	it('tells a late reviewer who decided, how and when, escaped', () => {
		const html = renderAnswerPage({
			kind: 'alreadyDecided',
			title: 'T',
			results: [
				{ label: 'Item 1', decision: 'rejected', by: ['Ann <Lead>'], at: '2026-12-02T10:02:00.000Z' },
				{ label: 'Item 2', decision: 'edited', by: ['Ann <Lead>', 'Bob'], at: '2026-12-02T10:03:00.000Z' },
			],
		});
		expect(html).toContain('Your answer was not recorded');
		expect(html).toContain('Rejected</span><span class="decided-by"> by Ann &lt;Lead&gt; <span class="hint">· 2026-12-02 10:02 UTC</span>');
		expect(html).toContain('Approved with changes</span><span class="decided-by"> by Ann &lt;Lead&gt;, Bob');
	});
	it('says a late answer was not recorded', () => {
		expect(renderAnswerPage({ kind: 'expired', title: 'T' })).toContain('Nothing was recorded');
	});
	it('lists the recorded decisions in words, escaped', () => {
		const html = renderAnswerPage({
			kind: 'recorded',
			title: '<b>T</b>',
			results: [
				{ label: 'Item 1', decision: 'edited' },
				{ label: 'Item 2', decision: 'pending' },
			],
		});
		expect(html).toContain('<span class="pill pill-edited">Approved with changes</span>');
		expect(html).toContain('Waiting for more approvals');
		expect(html).not.toMatch(/>edited</);
		expect(html).not.toContain('<b>T</b>');
	});
});
