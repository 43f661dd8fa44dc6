/**
 * The Review Inbox's page and request rules (issue 14) over a real embedded store: escaping,
 * ordering, filters, countdown text, personal links and their tampering, claims, GETs that change
 * nothing, and the status page a late reviewer gets (issue 11 defect 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { executionStateOf } from '../../../nodes/ReviewInbox/checkExecution';
import { agoText, INBOX_PAGE_HEADERS, renderInboxPage, timeLeftText } from '../../../nodes/ReviewInbox/renderInboxPage';
import { personalInboxUrl, serveInbox, type InboxResponse, type InboxSettings } from '../../../nodes/ReviewInbox/serveInbox';
import { derivePriority, readPriority } from '../../../nodes/shared/reviewPriority';
import { linkHash } from '../../../nodes/shared/reviewInboxLinks';
import { openSealedReviewUrl, sealReviewUrl, signInboxReviewer, signReviewer } from '../../../nodes/shared/reviewSignatures';
import { openHitlStore, type HitlStore, type PendingReviewRecord } from '../../../nodes/shared/store';

const SECRET = 'a-review-secret-of-at-least-32-chars!!';
const T0 = Date.parse('2026-12-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const INBOX = 'http://n8n.test/webhook/review-inbox';
const settings: InboxSettings = {
	title: 'Review inbox',
	inboxUrl: INBOX,
	path: 'review-inbox',
	nodeName: 'Review Inbox',
	access: 'personal',
	secret: SECRET,
	claimMinutes: 15,
	pageSize: 50,
};
const ana = { reviewer: 'ana@example.com', isig: signInboxReviewer(SECRET, 'review-inbox', 'ana@example.com') };
const ben = { reviewer: 'ben@example.com', isig: signInboxReviewer(SECRET, 'review-inbox', 'ben@example.com') };

function resumeUrl(executionId: string) {
	return `http://n8n.test/webhook-waiting/${executionId}?signature=token-${executionId}`;
}

function review(executionId: string, overrides: Partial<PendingReviewRecord> = {}): PendingReviewRecord {
	return {
		executionId,
		nodeName: 'Human Approval Wait',
		nodeId: 'haw-1',
		workflowId: 'wf-1',
		workflowName: 'Support replies',
		title: `Review ${executionId}`,
		items: [{ caseId: `case-${executionId}`, summary: 'Where is my parcel?', reasons: ['LOW_CONFIDENCE'], confidence: 0.41, riskFlags: [] }],
		requestedAt: at(-5),
		deadline: at(60),
		reviewerMode: 'named',
		reviewers: [
			{ id: 'ana@example.com', name: 'Ana' },
			{ id: 'ben@example.com', name: 'Ben' },
		],
		priority: 2,
		sealedLink: sealReviewUrl(SECRET, resumeUrl(executionId)),
		resumeBase: `http://n8n.test/webhook-waiting/${executionId}`,
		linkHash: linkHash(executionId, `token-${executionId}`),
		...overrides,
	};
}

function html(answer: InboxResponse): string {
	if ('location' in answer) throw new Error(`expected a page, got a redirect to ${answer.location}`);
	return answer.html;
}

let dir = '';
let store: HitlStore;
beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), 'hitl-inbox-'));
	store = await openHitlStore({ backend: 'embedded', filePath: join(dir, 'store.sqlite') });
});
afterEach(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

const get = (query: Record<string, string>, now = at(0)) => serveInbox(store, settings, { method: 'GET', query, now });
const post = (body: Record<string, string>, now = at(0)) => serveInbox(store, settings, { method: 'POST', query: {}, body, now });

describe('the inbox page', () => {
	test('lists by priority, then time left; escapes every text; says the time left and the reasons in words', async () => {
		await store.pendingReviews.registerPendingReview(review('normal-late', { deadline: at(300) }));
		await store.pendingReviews.registerPendingReview(review('normal-soon', { deadline: at(20) }));
		await store.pendingReviews.registerPendingReview(
			review('high', {
				priority: 3,
				title: '<script>alert(1)</script>',
				items: [{ caseId: 'c"><img src=x>', summary: 'Refund <b>now</b> & "more"', reasons: ['RISK_FLAG'], intent: 'refund', riskFlags: ['legal'] }],
			}),
		);
		await store.pendingReviews.registerPendingReview(review('audit', { priority: 1, deadline: at(5) }));
		const answer = await get(ana);
		expect(answer.status).toBe(200);
		const page = html(answer);
		const order = ['&lt;script&gt;', 'Review normal-soon', 'Review normal-late', 'Review audit'].map((text) => page.indexOf(text));
		expect(order.every((index) => index > 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(page).not.toContain('<script>alert');
		expect(page).not.toContain('<img src=x>');
		expect(page).toContain('Refund &lt;b&gt;now&lt;/b&gt; &amp; &quot;more&quot;');
		expect(page).toContain('>20 min left</time>');
		expect(page).toContain('>5 h 0 min left</time>');
		expect(page).toContain('Risk flag: <strong>1</strong>');
		expect(page).toContain('Low confidence: <strong>3</strong>');
		expect(page).toContain('Signed in by your personal link as <strong>ana@example.com</strong>');
		// The only script is the countdown, allowed by its hash; nothing loads from anywhere.
		expect(INBOX_PAGE_HEADERS['Content-Security-Policy']).toMatch(/default-src 'none'; style-src 'sha256-[^']+'; img-src 'none'; script-src 'sha256-[^']+'; form-action 'self'/);
		expect(page).not.toMatch(/<img|<link |<script src|url\(/);
	});

	test('filters by workflow, intent, reason and "mine"', async () => {
		await store.pendingReviews.registerPendingReview(review('one'));
		await store.pendingReviews.registerPendingReview(
			review('two', { workflowId: 'wf-2', workflowName: 'Refunds', items: [{ caseId: 'x', summary: '', reasons: ['COMPLIANCE_BLOCK'], intent: 'refund', riskFlags: [] }] }),
		);
		await store.pendingReviews.registerPendingReview(review('three', { reviewers: [{ id: 'cy@example.com', name: 'Cy' }] }));
		const titles = async (query: Record<string, string>) => [...html(await get({ ...ana, ...query })).matchAll(/<\/span>(Review [a-z]+)<\/h2>/g)].map((match) => match[1]);
		// Same priority and deadline: oldest first, then by execution id.
		expect(await titles({})).toEqual(['Review one', 'Review three', 'Review two']);
		expect(await titles({ workflow: 'wf-2' })).toEqual(['Review two']);
		expect(await titles({ intent: 'refund' })).toEqual(['Review two']);
		expect(await titles({ reason: 'LOW_CONFIDENCE' })).toEqual(['Review one', 'Review three']);
		expect(await titles({ mine: '1' })).toEqual(['Review one', 'Review two']);
		// The filter form keeps the reader's identity, so filtering never loses it.
		expect(html(await get(ana))).toContain(`name="isig" value="${ana.isig}"`);
	});

	test('a named reviewer opens reviews through their own personal link; others are told whose it is', async () => {
		await store.pendingReviews.registerPendingReview(review('mine'));
		await store.pendingReviews.registerPendingReview(review('theirs', { reviewers: [{ id: 'cy@example.com', name: 'Cy' }] }));
		const page = html(await get(ana));
		// The row names the review and the reader; no review token is on the page.
		expect(page).not.toContain('token-mine');
		const href = page.match(/<a class="btn" href="([^"]+)"/)![1].replace(/&amp;/g, '&');
		expect(href).toBe(`${INBOX}?reviewer=ana%40example.com&isig=${ana.isig}&open=mine&node=Human+Approval+Wait`);
		expect(page).toContain('For Cy.');
		// Following it: Ana's own personal review link (her identity signed for this execution and node).
		const rsig = signReviewer(SECRET, { executionId: 'mine', nodeId: 'haw-1', reviewerId: 'ana@example.com' });
		const query = Object.fromEntries(new URL(href).searchParams);
		expect(await get(query)).toEqual({ status: 303, location: `${resumeUrl('mine')}&reviewer=ana%40example.com&rsig=${rsig}` });
		// Ana cannot open Cy's review from the inbox, nor open hers with Ben's identity.
		expect((await get({ ...query, open: 'theirs' })).status).toBe(403);
		expect((await get({ ...query, reviewer: 'ben@example.com' })).status).toBe(403);
		expect(await get({ ...ben, open: 'mine', node: 'Human Approval Wait' })).toEqual({
			status: 303,
			location: `${resumeUrl('mine')}&reviewer=ben%40example.com&rsig=${signReviewer(SECRET, { executionId: 'mine', nodeId: 'haw-1', reviewerId: 'ben@example.com' })}`,
		});
	});

	test('a tampered or foreign personal inbox link is refused', async () => {
		expect((await get({ reviewer: 'ben@example.com', isig: ana.isig })).status).toBe(403);
		expect((await get({ reviewer: 'ana@example.com', isig: `${ana.isig}x` })).status).toBe(403);
		expect((await get({})).status).toBe(403);
		const otherInbox = signInboxReviewer(SECRET, 'other-inbox', 'ana@example.com');
		expect((await get({ reviewer: 'ana@example.com', isig: otherInbox })).status).toBe(403);
	});

	test('a shared inbox says what it gives up and offers no claims', async () => {
		await store.pendingReviews.registerPendingReview(review('one'));
		const page = html(await serveInbox(store, { ...settings, access: 'shared' }, { method: 'GET', query: {}, now: at(0) }));
		expect(page).toContain('nobody is identified, so there are no claims and no “mine”');
		expect(page).not.toContain('inboxAction');
		expect(page).toContain('Named reviewers open it from their personal inbox link.');
	});

	test('an expired review is marked expired when the inbox reads, shows as expired and cannot be claimed', async () => {
		await store.pendingReviews.registerPendingReview(review('late', { deadline: at(-1) }));
		const page = html(await get(ana));
		expect((await store.pendingReviews.getPendingReview({ executionId: 'late', nodeName: 'Human Approval Wait' }, at(0)))?.status).toBe('expired');
		expect(page).toContain('Nothing is waiting for review.');
		expect(page).toMatch(/<li><strong>Review late<\/strong> · Support replies · <span class="left overdue">expired<\/span> at <time/);
		expect(page).not.toContain('inboxAction=claim');
		expect((await post({ ...ana, execution: 'late', node: 'Human Approval Wait', inboxAction: 'claim' })).status).toBe(409);
	});

	test('a review whose execution n8n no longer holds (cancelled) is marked cancelled and no longer offered', async () => {
		await store.pendingReviews.registerPendingReview(review('live'));
		await store.pendingReviews.registerPendingReview(review('gone'));
		const asked: string[] = [];
		// n8n's answers to the inbox's question, by execution (checkExecution.ts reads them from n8n's HTTP answer).
		const deps = {
			checkExecution: async (url: string) => {
				asked.push(url);
				return url.includes('/gone?') ? ('stopped' as const) : ('waiting' as const);
			},
		};
		const page = html(await serveInbox(store, settings, { method: 'GET', query: ana, now: at(0) }, deps));
		expect(asked.sort()).toEqual([resumeUrl('gone'), resumeUrl('live')]);
		expect((await store.pendingReviews.getPendingReview({ executionId: 'gone', nodeName: 'Human Approval Wait' }, at(0)))?.status).toBe('cancelled');
		expect([...page.matchAll(/<\/span>(Review [a-z]+)<\/h2>/g)].map((match) => match[1])).toEqual(['Review live']);
		expect(page).toMatch(/<strong>Review gone<\/strong> · Support replies · <span class="left overdue">cancelled<\/span>/);
		expect((await store.listAudit({ executionId: 'gone' })).map((entry) => `${entry.event}:${entry.actor}`)).toEqual(['cancelled:inbox']);
		// Within the minute the listed reviews are not asked again; opening one always is.
		await serveInbox(store, settings, { method: 'GET', query: ana, now: at(0.5) }, deps);
		expect(asked).toHaveLength(2);
		const opened = await serveInbox(store, settings, { method: 'GET', query: { ...ana, open: 'live', node: 'Human Approval Wait' }, now: at(0.5) }, deps);
		expect(opened.status).toBe(303);
		expect(asked).toHaveLength(3);
		// A mail link of the cancelled review says so instead of sending the reader on to n8n.
		const link = await serveInbox(store, settings, { method: 'GET', query: { execution: 'gone', node: 'Human Approval Wait', signature: 'token-gone' }, now: at(1) }, deps);
		expect(html(link)).toContain('This review was cancelled');
	});

	test('n8n\'s answers to the question "still waiting?"', () => {
		expect(executionStateOf(404, '{"code":404,"message":"The workflow for execution \\"7\\" does not contain a waiting webhook with a matching path/method."}')).toBe('waiting');
		expect(executionStateOf(409, '{"code":409,"message":"The execution \\"7\\" has finished with error."}')).toBe('stopped');
		expect(executionStateOf(409, '{"code":409,"message":"The execution \\"7 has finished already."}')).toBe('stopped');
		expect(executionStateOf(404, '{"code":404,"message":"The execution \\"7\\" does not exist."}')).toBe('stopped');
		expect(executionStateOf(409, '{"code":409,"message":"The execution \\"7\\" is running already."}')).toBe('unknown');
		expect(executionStateOf(401, '{"error":"Invalid token"}')).toBe('unknown');
		expect(executionStateOf(502, 'Bad gateway')).toBe('unknown');
	});

	test('countdown and age texts', () => {
		expect(timeLeftText(at(90), at(0))).toBe('1 h 30 min left');
		expect(timeLeftText(at(3 * 1440 + 125), at(0))).toBe('3 d 2 h left');
		expect(timeLeftText(at(0.5), at(0))).toBe('30 s left');
		expect(timeLeftText(at(-1), at(0))).toBe('overdue');
		expect(agoText(at(0), at(3))).toBe('3 minutes ago');
		expect(agoText(at(0), at(1))).toBe('1 minute ago');
		expect(agoText(at(0), at(0))).toBe('just now');
	});

	test('an empty inbox says so', () => {
		const page = renderInboxPage({
			title: 'Inbox',
			now: at(0),
			rows: [],
			total: 0,
			countsByReason: {},
			filters: {},
			workflows: [],
			filterAction: INBOX,
			identityFields: {},
		});
		expect(page).toContain('Nothing is waiting for review.');
	});
});

describe('claims from the inbox', () => {
	test('claim, the other sees it and is refused, take-over recorded, release; every change audited', async () => {
		await store.pendingReviews.registerPendingReview(review('r1'));
		const target = { execution: 'r1', node: 'Human Approval Wait' };
		const claimed = await post({ ...ana, ...target, inboxAction: 'claim' });
		expect(claimed).toEqual({ status: 303, location: personalInboxUrl(settings, 'ana@example.com', ana.isig, { done: 'claimed' }) });

		const benPage = html(await get(ben, at(3)));
		expect(benPage).toContain('Being reviewed by Ana, claimed 3 minutes ago');
		expect(benPage).toContain('Take over from Ana');
		const refused = await post({ ...ben, ...target, inboxAction: 'claim' }, at(3));
		expect(refused.status).toBe(409);
		expect(html(refused)).toContain('Being reviewed by Ana');

		expect(await post({ ...ben, ...target, inboxAction: 'takeOver' }, at(4))).toMatchObject({ status: 303 });
		expect(html(await get(ana, at(5)))).toContain('Being reviewed by Ben');
		expect(await post({ ...ben, ...target, inboxAction: 'release' }, at(6))).toMatchObject({ status: 303 });
		expect((await store.pendingReviews.getPendingReview({ executionId: 'r1', nodeName: 'Human Approval Wait' }, at(6)))?.claim).toBeUndefined();

		const events = (await store.listAudit({ executionId: 'r1' })).map((entry) => [entry.event, entry.actor]);
		expect(events).toEqual([
			['claimed', 'ana@example.com'],
			['refused', 'ben@example.com'],
			['takenOver', 'ben@example.com'],
			['released', 'ben@example.com'],
		]);
	});

	test('the page has one claim form: the identity fields once, and a button per row naming what to do to which review', async () => {
		await store.pendingReviews.registerPendingReview(review('r1'));
		await store.pendingReviews.registerPendingReview(review('r&2', { nodeName: 'Approve "refund" #2' }));
		const page = html(await get(ana));
		const forms = [...page.matchAll(/<form method="post" action="([^"]+)">((?:<input type="hidden"[^>]+>)*)/g)];
		expect(forms).toHaveLength(1);
		expect(forms[0][1]).toBe(INBOX);
		const hidden = Object.fromEntries([...forms[0][2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((match) => [match[1], match[2]]));
		expect(hidden).toEqual(ana);
		// What the browser posts for the second row's button: the form's fields and the button's name and value.
		const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
		const buttons = [...page.matchAll(/<button class="btn-secondary" name="(row)" value="([^"]+)"[^>]*>Claim<\/button>/g)].map((match) => [match[1], unescape(match[2])]);
		expect(buttons).toHaveLength(2);
		const second = buttons.find(([, value]) => value.includes('r%262'))!;
		expect(await post({ ...hidden, [second[0]]: second[1] })).toMatchObject({ status: 303 });
		expect((await store.pendingReviews.getPendingReview({ executionId: 'r&2', nodeName: 'Approve "refund" #2' }, at(0)))?.claim?.reviewerId).toBe('ana@example.com');
		expect(html(await get(ana))).toContain('Claimed by you');
		// The button's value names the action and the review only: it cannot change who is asking.
		expect((await post({ ...ben, row: 'inboxAction=release&execution=r%262&node=Approve+%22refund%22+%232&reviewer=ana%40example.com' })).status).toBe(303);
		expect((await store.pendingReviews.getPendingReview({ executionId: 'r&2', nodeName: 'Approve "refund" #2' }, at(0)))?.claim?.reviewerId).toBe('ana@example.com');
	});

	test('a reviewer not named on the review, or a forged identity, cannot claim it', async () => {
		await store.pendingReviews.registerPendingReview(review('r1', { reviewers: [{ id: 'cy@example.com', name: 'Cy' }] }));
		const target = { execution: 'r1', node: 'Human Approval Wait', inboxAction: 'claim' };
		expect((await post({ ...ana, ...target })).status).toBe(403);
		expect((await post({ reviewer: 'cy@example.com', isig: ana.isig, ...target })).status).toBe(403);
	});

	test('20 GETs of the inbox change no review and no claim (only "inboxViewed" audit lines)', async () => {
		await store.pendingReviews.registerPendingReview(review('r1'));
		await store.pendingReviews.registerPendingReview(review('r2', { deadline: at(-1) }));
		await post({ ...ana, execution: 'r1', node: 'Human Approval Wait', inboxAction: 'claim' });
		const snapshot = async () => [
			await store.pendingReviews.getPendingReview({ executionId: 'r1', nodeName: 'Human Approval Wait' }, at(1)),
			await store.pendingReviews.getPendingReview({ executionId: 'r2', nodeName: 'Human Approval Wait' }, at(1)),
		];
		const before = await snapshot();
		for (let index = 0; index < 20; index++) await get(index % 2 ? ana : ben, at(1));
		expect(await snapshot()).toEqual(before);
		const events = new Set((await store.listAudit({ executionId: 'inbox' })).map((entry) => entry.event));
		expect([...events]).toEqual(['inboxViewed']);
	});
});

describe('links through the inbox (issue 11 defect 5)', () => {
	const parts = (executionId: string, extra: Record<string, string> = {}) => ({
		execution: executionId,
		node: 'Human Approval Wait',
		signature: `token-${executionId}`,
		...extra,
	});

	test('while pending: a GET is sent on to the review page (303), a posted form keeps its method (307)', async () => {
		await store.pendingReviews.registerPendingReview(review('r1'));
		expect(await get(parts('r1'))).toEqual({ status: 303, location: resumeUrl('r1') });
		const rsig = signReviewer(SECRET, { executionId: 'r1', nodeId: 'haw-1', reviewerId: 'ana@example.com' });
		expect(await post({ ...parts('r1', { reviewer: 'ana@example.com', rsig }), inboxAction: 'answer', action: 'approve' })).toEqual({
			status: 307,
			location: `${resumeUrl('r1')}&reviewer=ana%40example.com&rsig=${rsig}`,
		});
	});

	test('after the decision: who decided, how and when — and that a late answer was not recorded', async () => {
		await store.pendingReviews.registerPendingReview(review('r1'));
		await store.pendingReviews.closePendingReview(
			{ executionId: 'r1', nodeName: 'Human Approval Wait' },
			{ status: 'decided', at: '2026-12-02T09:42:00.000Z', decisions: ['approved'], decidedBy: ['Ana'] },
		);
		const opened = await get(parts('r1'));
		expect(opened.status).toBe(200);
		expect(html(opened)).toContain('This review was already decided by <strong>Ana</strong>: approved at <time datetime="2026-12-02T09:42:00.000Z">2026-12-02 09:42 UTC</time>.');
		const late = await post({ ...parts('r1'), inboxAction: 'answer', action: 'approve' });
		expect(late.status).toBe(409);
		expect(html(late)).toContain('Your answer was <strong>not</strong> recorded.');
	});

	test('past the deadline it says expired; a wrong token is refused and reveals nothing', async () => {
		await store.pendingReviews.registerPendingReview(review('r1', { deadline: at(-1) }));
		expect(html(await get(parts('r1')))).toContain('This review has expired');
		const forged = await get({ ...parts('r1'), signature: 'guessed' });
		expect(forged.status).toBe(403);
		expect(html(forged)).not.toContain('Review r1');
	});
});

describe('the store keeps no usable link', () => {
	test('the sealed link opens only with the secret, and the hash does not give the token', () => {
		const sealed = sealReviewUrl(SECRET, resumeUrl('r1'));
		expect(sealed).not.toContain('token-r1');
		expect(openSealedReviewUrl(SECRET, sealed)).toBe(resumeUrl('r1'));
		expect(openSealedReviewUrl('another-secret-of-32-characters-xx', sealed)).toBeUndefined();
		const [v, iv, body, tag] = sealed.split('.');
		expect(openSealedReviewUrl(SECRET, [v, iv, `${body.slice(0, -2)}AA`, tag].join('.'))).toBeUndefined();
		expect(linkHash('r1', 'token-r1')).not.toContain('token');
	});
});

describe('priority', () => {
	test('a blocking finding or a risk flag ranks above low confidence, which ranks above an audit sample', () => {
		const blocking = { hitl: { compliance: { violations: [{ severity: 'block' }] }, gate: { reasons: [{ code: 'COMPLIANCE_BLOCK' }] } } };
		const flagged = { hitl: { draft: { riskFlags: ['legal'] }, gate: { reasons: [{ code: 'RISK_FLAG' }] } } };
		const doubtful = { hitl: { gate: { reasons: [{ code: 'LOW_CONFIDENCE' }] } } };
		const audit = { hitl: { gate: { sampledForAudit: true, reasons: [{ code: 'AUDIT_SAMPLE' }] } } };
		expect([blocking, flagged, doubtful, audit].map(derivePriority)).toEqual([3, 3, 2, 1]);
		expect([readPriority(''), readPriority('Urgent'), readPriority(2), readPriority('3'), readPriority('soon'), readPriority(7)]).toEqual([
			'derive',
			4,
			2,
			3,
			undefined,
			undefined,
		]);
	});
});
