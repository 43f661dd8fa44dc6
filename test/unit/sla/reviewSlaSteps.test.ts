/**
 * The step rules of the review SLA (issue 15): each step once, a reminder superseded by a later
 * step, clock skew, a review decided between polls, a review without a target.
 */
import { dueSlaSteps, slaNoticeSteps, slaStepTimes, type SlaPolicy, type SlaReviewFacts, type SlaStep } from '../../../nodes/shared/reviewSlaSteps';

const T0 = Date.parse('2026-12-02T09:00:00.000Z');
const at = (minutes: number) => T0 + minutes * 60_000;
const iso = (minutes: number) => new Date(at(minutes)).toISOString();

const policy: SlaPolicy = { reminderShare: 0.75, overdue: true, escalateAfterMs: 10 * 60_000 };
const review: SlaReviewFacts = { status: 'pending', requestedAt: iso(0), respondBy: iso(20) };

/** Polls at these minutes, recording what each poll emitted, as the trigger does. */
function pollAt(minutes: number[], facts: SlaReviewFacts = review, rules: SlaPolicy = policy): SlaStep[][] {
	const emitted: SlaStep[] = [];
	return minutes.map((minute) => {
		const due = dueSlaSteps(facts, rules, at(minute), emitted);
		emitted.push(...due);
		return due;
	});
}

describe('review SLA steps', () => {
	test('step times: reminder at the share of the target, overdue at it, escalated after the delay', () => {
		expect(slaStepTimes(review, policy)).toEqual({ reminder: at(15), overdue: at(20), escalated: at(30) });
		expect(slaStepTimes(review, { overdue: false })).toEqual({});
		expect(slaStepTimes(review, { overdue: true, escalateAfterMs: 0 })).toEqual({ overdue: at(20), escalated: at(20) });
	});

	test('each step once, in order, however often it polls', () => {
		const polls = pollAt([0, 5, 14.99, 15, 16, 19, 20, 21, 29, 30, 31, 60, 600]);
		expect(polls.flat()).toEqual(['reminder', 'overdue', 'escalated']);
		expect(polls[3]).toEqual(['reminder']);
		expect(polls[6]).toEqual(['overdue']);
		expect(polls[9]).toEqual(['escalated']);
	});

	test('a poll that comes late emits the crossed steps together, without a stale reminder', () => {
		expect(pollAt([40])).toEqual([['overdue', 'escalated']]);
		expect(pollAt([22, 40])).toEqual([['overdue'], ['escalated']]);
		// The reminder is never sent later either.
		expect(pollAt([25, 26]).flat()).toEqual(['overdue']);
	});

	test('one notice per audience: the reviewers hear "overdue" even when the escalation falls in the same poll', () => {
		expect(slaNoticeSteps(['overdue', 'escalated'])).toEqual([['overdue'], ['escalated']]);
		expect(slaNoticeSteps(['reminder'])).toEqual([['reminder']]);
		expect(slaNoticeSteps(['overdue'])).toEqual([['overdue']]);
		expect(slaNoticeSteps(['escalated'])).toEqual([['escalated']]);
		expect(slaNoticeSteps([])).toEqual([]);
		// escalating at the target (the node's default): one poll after the target crosses both
		const atTarget = { overdue: true, escalateAfterMs: 0 };
		expect(slaNoticeSteps(dueSlaSteps(review, atTarget, at(21), []))).toEqual([['overdue'], ['escalated']]);
	});

	test('a review decided (or expired) between polls gets no further step', () => {
		const emitted: SlaStep[] = ['reminder'];
		for (const status of ['decided', 'expired', 'cancelled']) {
			expect(dueSlaSteps({ ...review, status }, policy, at(45), emitted)).toEqual([]);
		}
	});

	test('a review without a target (or with an unreadable one) gets no step', () => {
		const { respondBy: _none, ...withoutTarget } = review;
		expect(pollAt([0, 30, 6000], withoutTarget).flat()).toEqual([]);
		expect(pollAt([0, 30, 6000], { ...review, respondBy: 'soon' }).flat()).toEqual([]);
	});

	test('clock skew: a poller behind the emitter sends no reminder after "overdue" went out', () => {
		// Process A (clock ahead) emitted overdue; process B's clock still says minute 18.
		expect(dueSlaSteps(review, policy, at(18), ['overdue'])).toEqual([]);
		expect(dueSlaSteps(review, policy, at(18), ['escalated'])).toEqual([]);
		// A poller behind the reviewing process: "now" before requestedAt is simply not yet due.
		expect(dueSlaSteps(review, policy, at(-2), [])).toEqual([]);
	});

	test('a target before the request time counts as zero: no reminder, overdue at once', () => {
		const skewed = { ...review, respondBy: iso(-1) };
		expect(slaStepTimes(skewed, policy).reminder).toBeUndefined();
		expect(pollAt([0, 9, 10], skewed)).toEqual([['overdue'], ['escalated'], []]);
	});

	test('policy without reminder or escalation emits only what is asked', () => {
		expect(pollAt([0, 16, 21, 31], review, { overdue: true }).flat()).toEqual(['overdue']);
		expect(pollAt([0, 16, 21, 31], review, { reminderShare: 0.5, overdue: false }).flat()).toEqual(['reminder']);
		// Shares outside (0, 1) mean no reminder rather than a reminder at the request or after the target.
		expect(pollAt([0, 16, 21], review, { reminderShare: 1, overdue: false }).flat()).toEqual([]);
		expect(pollAt([0, 16, 21], review, { reminderShare: 0, overdue: false }).flat()).toEqual([]);
	});
});
