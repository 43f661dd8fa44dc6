/**
 * The Review Inbox's claim-and-decide flow in Chromium at phone size, shared by the single-process
 * and the queue-mode end-to-end tests: Ann claims a review in her inbox; Bob sees it claimed in his
 * inbox and on the review page, and his answer is refused; Ann opens it from her inbox and approves;
 * it leaves the inbox; Bob, pressing Approve on the page he still had open, and opening his link
 * again, is told who decided and how (issue 11 defect 5), not n8n's 409 JSON.
 */
import type { Page } from 'playwright-core';

import { signInboxReviewer } from '../../../nodes/shared/reviewSignatures';
import type { HitlStore } from '../../../nodes/shared/store';
import { ANN, BOB, INBOX_PATH, REVIEW_SECRET } from './workflows';

export function personalInboxUrl(baseUrl: string, reviewerId: string, extra = ''): string {
	return `${baseUrl}/webhook/${INBOX_PATH}?reviewer=${encodeURIComponent(reviewerId)}&isig=${signInboxReviewer(REVIEW_SECRET, INBOX_PATH, reviewerId)}${extra}`;
}

/** The rows' titles, top to bottom (without the priority badge). */
export async function rowTitles(page: Page): Promise<string[]> {
	return (await page.locator('ol.queue > li h2').allInnerTexts()).map((text) => text.split('\n').pop()!.trim());
}

export function row(page: Page, title: string) {
	return page.locator('ol.queue > li').filter({ has: page.locator('h2', { hasText: title }) });
}

export interface FlowEnv {
	baseUrl: string;
	store: HitlStore;
	newPage(): Promise<Page>;
	screenshot?: string;
	waitForSuccess(executionId: string): Promise<void>;
}

export async function claimApproveAndLateReviewer(env: FlowEnv, review: { title: string; executionId: string; remaining: string[] }): Promise<void> {
		const ann = await env.newPage();
	await ann.goto(personalInboxUrl(env.baseUrl, ANN.id));
	await Promise.all([ann.waitForURL(/done=claimed/), row(ann, review.title).getByRole('button', { name: 'Claim' }).click()]);
	await expect(ann.getByRole('status').first().innerText()).resolves.toContain('Claimed');
	await expect(row(ann, review.title).innerText()).resolves.toContain('Claimed by you');
	if (env.screenshot) await ann.screenshot({ path: env.screenshot, fullPage: true });

	// Bob: the inbox says who is on it; his review page says so too, and his answer is refused.
	const bob = await env.newPage();
	await bob.goto(personalInboxUrl(env.baseUrl, BOB.id));
	await expect(row(bob, review.title).innerText()).resolves.toMatch(/Being reviewed by Ann Reviewer, claimed (just now|\d+ minutes? ago)/);
	const bobsLink = (await row(bob, review.title).getByRole('link', { name: 'Open review' }).getAttribute('href'))!;
	await Promise.all([bob.waitForURL(/webhook-waiting/), row(bob, review.title).getByRole('link', { name: 'Open review' }).click()]);
	await expect(bob.locator('main').innerText()).resolves.toContain('Being reviewed by Ann Reviewer');
	await Promise.all([bob.waitForLoadState('load'), bob.getByRole('button', { name: 'Approve', exact: true }).click()]);
	await expect(bob.getByRole('alert').first().innerText()).resolves.toContain('Ann Reviewer is reviewing this');
	expect((await env.store.pendingReviews.getPendingReview({ executionId: review.executionId, nodeName: 'Human Approval' }, new Date().toISOString()))?.status).toBe('pending');

	// Ann opens it from the inbox (her own personal link, through the inbox) and approves.
	await Promise.all([ann.waitForURL(/webhook-waiting/), row(ann, review.title).getByRole('link', { name: 'Open review' }).click()]);
	await expect(ann.locator('main').innerText()).resolves.toContain('You claimed this review');
	await Promise.all([ann.waitForLoadState('load'), ann.getByRole('button', { name: 'Approve', exact: true }).click()]);
	await expect(ann.getByRole('status').first().innerText()).resolves.toContain('Decision recorded');
	await env.waitForSuccess(review.executionId);

	// The decided review leaves the inbox.
	await ann.goto(personalInboxUrl(env.baseUrl, ANN.id));
	expect(await rowTitles(ann)).toEqual(review.remaining);

	// Defect 5: Bob still has the page open and presses Approve (with "Take over" ticked, as the
	// refusal told him): the form goes through the inbox, which answers from the store.
	await bob.getByLabel(/Take over from Ann Reviewer/).check();
	await Promise.all([bob.waitForLoadState('load'), bob.getByRole('button', { name: 'Approve', exact: true }).click()]);
	const late = await bob.locator('main').innerText();
	expect(late).toContain('Already decided');
	expect(late).toMatch(/already decided by Ann Reviewer: approved at \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Your answer was not recorded\./);
	expect(late).not.toContain('Your response has been recorded');
	// Re-opening the decided link shows the same, and leads back to Bob's own inbox.
	const reopened = await bob.goto(bobsLink);
	expect(reopened?.status()).toBe(200);
	await expect(bob.locator('main').innerText()).resolves.toContain('already decided by Ann Reviewer');
	await expect(bob.getByRole('link', { name: 'Back to your review inbox' }).getAttribute('href')).resolves.toContain(`reviewer=${encodeURIComponent(BOB.id)}`);

	const events = (await env.store.listAudit({ executionId: review.executionId })).map((entry) => `${entry.event}:${entry.actor ?? ''}`);
	expect(events).toEqual(expect.arrayContaining(['claimed:ann@hitl.test', 'refused:bob@hitl.test', 'answered:ann@hitl.test', 'decided:ann@hitl.test']));
	}
