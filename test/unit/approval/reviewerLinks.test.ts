import {
	formToken,
	personalLink,
	reviewerIdFrom,
	signReviewer,
	verifyFormToken,
	verifyReviewer,
} from '../../../nodes/HumanApprovalWait/reviewerLinks';
import { computeDeadline, decodeReviewTimes, encodeReviewTimes, isPastDeadline, reviewTimesKey } from '../../../nodes/HumanApprovalWait/reviewDeadline';

const secret = 'a-long-secret-for-signing-links';
const ann = { executionId: '42', nodeId: 'node-1', reviewerId: 'ann@example.com' };
const bob = { ...ann, reviewerId: 'bob@example.com' };

describe('personal reviewer links', () => {
	it('verifies a reviewer with their own signature only', () => {
		const signature = signReviewer(secret, ann);
		expect(verifyReviewer(secret, ann, signature)).toBe(true);
		expect(verifyReviewer(secret, bob, signature)).toBe(false);
		expect(verifyReviewer(secret, { ...ann, executionId: '43' }, signature)).toBe(false);
		expect(verifyReviewer(secret, { ...ann, nodeId: 'node-2' }, signature)).toBe(false);
		expect(verifyReviewer('another-secret-of-some-length', ann, signature)).toBe(false);
		expect(verifyReviewer(secret, ann, signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A'))).toBe(false);
		expect(verifyReviewer(secret, ann, undefined)).toBe(false);
		expect(verifyReviewer(secret, { ...ann, reviewerId: '' }, signReviewer(secret, { ...ann, reviewerId: '' }))).toBe(false);
	});

	it('keeps the execution signature of the resume URL and adds the reviewer', () => {
		const link = new URL(personalLink('http://n8n.local/form-waiting/42?signature=abc', 'ann@example.com', 'sig'));
		expect(link.pathname).toBe('/form-waiting/42');
		expect(link.searchParams.get('signature')).toBe('abc');
		expect(link.searchParams.get('reviewer')).toBe('ann@example.com');
		expect(link.searchParams.get('rsig')).toBe('sig');
	});

	it('derives stable reviewer ids', () => {
		expect(reviewerIdFrom('  Ann.Smith@Example.com ')).toBe('ann.smith@example.com');
		expect(reviewerIdFrom('Zoë Müller')).toBe('zo-m-ller');
	});
});

describe('form tokens', () => {
	it('bind the form to its execution, node and reviewer', () => {
		const token = formToken('key', ann);
		expect(verifyFormToken('key', ann, token)).toBe(true);
		expect(verifyFormToken('key', bob, token)).toBe(false);
		expect(verifyFormToken('other', ann, token)).toBe(false);
		expect(verifyFormToken('key', ann, 'forged')).toBe(false);
		expect(verifyFormToken('key', ann, 7)).toBe(false);
	});
});

describe('deadline', () => {
	const now = new Date('2026-01-01T00:00:00Z');
	it('computes an interval or a date, or none', () => {
		expect(computeDeadline(now, { mode: 'none' })).toBeUndefined();
		expect(computeDeadline(now, { mode: 'afterInterval', amount: 2, unit: 'hours' })?.toISOString()).toBe('2026-01-01T02:00:00.000Z');
		expect(computeDeadline(now, { mode: 'atTime', dateTime: '2026-01-02T00:00:00Z' })?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
	});
	it('refuses zero, negative and past limits with a message', () => {
		expect(() => computeDeadline(now, { mode: 'afterInterval', amount: 0, unit: 'hours' })).toThrow(/positive/);
		expect(() => computeDeadline(now, { mode: 'atTime', dateTime: '2025-01-01T00:00:00Z' })).toThrow(/past/);
		expect(() => computeDeadline(now, { mode: 'atTime', dateTime: 'soon' })).toThrow(/not a date/);
	});
	it('round-trips the review times through a custom-data value under 255 characters', () => {
		const times = { requestedAt: now.toISOString(), deadline: '2026-01-01T02:00:00.000Z' };
		const encoded = encodeReviewTimes(times);
		expect(encoded.length).toBeLessThan(255);
		expect(decodeReviewTimes(encoded)).toEqual(times);
		expect(decodeReviewTimes('garbage')).toBeUndefined();
		expect(isPastDeadline(times, new Date('2026-01-01T02:00:00Z'))).toBe(true);
		expect(isPastDeadline(times, new Date('2026-01-01T01:59:59Z'))).toBe(false);
		expect(reviewTimesKey('0f8fad5b-d9cb-469f-a165-70867728950e')).toMatch(/^hitlReview_[A-Za-z0-9]+$/);
	});
});
