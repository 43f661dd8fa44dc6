/**
 * Review-SLA step bookkeeping over any SqlDriver (table `hitl_review_sla_steps`, migration 5).
 *
 * "Each step once per review" is the table's primary key (execution, node, step): recording a
 * step is one `INSERT … ON CONFLICT DO NOTHING`, which SQLite and PostgreSQL each apply atomically,
 * so of several pollers (a restarted one, or two n8n processes in queue mode) racing to emit the
 * same step exactly one inserts the row and emits it; the others see 0 rows changed and skip it.
 *
 * It also reads what the Feedback Log's SLA figures are computed from (`slaFacts`,
 * `overdueReviews`): plain rows, every figure is worked out in nodes/FeedbackLog/computeSlaFigures.ts.
 */
import { z } from 'zod/v4';

import { SLA_STEPS, type SlaStep } from '../reviewSlaSteps';
import type { PendingReviewKey } from './pendingReviewTypes';
import type {
	ListSlaCandidatesOptions,
	OverdueReview,
	ReviewSlaStore,
	SlaCandidate,
	SlaFactsWindow,
	SlaReviewFacts,
	SlaStepRecord,
} from './reviewSlaTypes';
import type { SqlDriver, SqlValue } from './sqlDriver';
import { pendingReviewFromRow } from './sqlPendingReviews';
import { integer, jsonText, nullable, parseRows, text } from './storeRows';

const reviewersColumn = jsonText(z.array(z.looseObject({ id: z.string(), name: z.string().optional() })));

const slaReviewRowSchema = z.object({
	execution_id: text,
	node_name: text,
	priority: integer,
	requested_ms: integer,
	respond_by_ms: nullable(integer),
	deadline_ms: nullable(integer),
	status: z.enum(['pending', 'decided', 'expired', 'cancelled']),
	closed_ms: nullable(integer),
	reviewers: reviewersColumn,
});
const answerRowSchema = z.object({ execution_id: text, node_name: text, actor: nullable(text), at_ms: integer });
const stepRowSchema = z.object({ execution_id: text, node_name: text, step: text });
const overdueRowSchema = z.object({ priority: integer, reviewers: reviewersColumn, claimed_by: nullable(text), claim_expires_ms: nullable(integer), respond_by_ms: integer });

/** The reviews of a window, as a WHERE clause over `hitl_pending_reviews p`. */
function windowWhere(window: SlaFactsWindow): { sql: string; params: SqlValue[] } {
	const params: SqlValue[] = [ms(window.since, 'since'), ms(window.until, 'until')];
	let sql = 'p.requested_ms >= ? AND p.requested_ms < ?';
	if (window.workflowId) {
		sql += ' AND p.workflow_id = ?';
		params.push(window.workflowId);
	}
	return { sql, params };
}

type Row = Record<string, unknown>;

function ms(iso: string, what: string): number {
	const value = Date.parse(iso);
	if (!Number.isFinite(value)) throw new Error(`hitl store: ${what} is not an ISO time: ${iso}`);
	return value;
}

function isStep(value: unknown): value is SlaStep {
	return (SLA_STEPS as readonly unknown[]).includes(value);
}

export class SqlReviewSla implements ReviewSlaStore {
	constructor(private readonly driver: SqlDriver) {}

	async listSlaCandidates(options: ListSlaCandidatesOptions): Promise<SlaCandidate[]> {
		const nowMs = ms(options.now, 'now');
		const limit = Math.max(1, Math.min(1000, Math.floor(options.limit ?? 200)));
		const leadShare = Math.max(0, Math.min(1, options.leadShare));
		// The first step falls leadShare of the target before the target (a target before the
		// request counts as zero-length, as in reviewSlaSteps.ts).
		const rows = await this.driver.query<Row>(
			`SELECT p.* FROM hitl_pending_reviews p
			 WHERE p.status = 'pending' AND p.respond_by_ms IS NOT NULL
			   AND p.respond_by_ms - CAST(? AS DOUBLE PRECISION) *
			       (CASE WHEN p.respond_by_ms > p.requested_ms THEN p.respond_by_ms - p.requested_ms ELSE 0 END) <= ?
			   AND NOT EXISTS (SELECT 1 FROM hitl_review_sla_steps s
			                   WHERE s.execution_id = p.execution_id AND s.node_name = p.node_name AND s.step = ?)
			 ORDER BY p.respond_by_ms ASC, p.execution_id ASC, p.node_name ASC LIMIT ?`,
			[leadShare, nowMs, options.finalStep, limit],
		);
		if (!rows.length) return [];
		const executionIds = [...new Set(rows.map((row) => String(row.execution_id)))];
		const steps = await this.driver.query<Row>(
			`SELECT execution_id, node_name, step FROM hitl_review_sla_steps WHERE execution_id IN (${executionIds.map(() => '?').join(', ')})`,
			executionIds,
		);
		const emittedOf = new Map<string, SlaStep[]>();
		for (const row of steps) {
			if (!isStep(row.step)) continue;
			const id = `${String(row.execution_id)}\n${String(row.node_name)}`;
			emittedOf.set(id, [...(emittedOf.get(id) ?? []), row.step]);
		}
		return rows.map((row) => ({
			review: pendingReviewFromRow(row, nowMs),
			emitted: emittedOf.get(`${String(row.execution_id)}\n${String(row.node_name)}`) ?? [],
		}));
	}

	async recordSlaStep(key: PendingReviewKey, step: SlaStep, at: string): Promise<boolean> {
		const changed = await this.driver.run(
			`INSERT INTO hitl_review_sla_steps (execution_id, node_name, step, emitted_at, emitted_ms) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (execution_id, node_name, step) DO NOTHING`,
			[key.executionId, key.nodeName, step, at, ms(at, 'at')],
		);
		return changed > 0;
	}

	async listSlaSteps(key: PendingReviewKey): Promise<SlaStepRecord[]> {
		const rows = await this.driver.query<Row>(
			'SELECT step, emitted_at, emitted_ms FROM hitl_review_sla_steps WHERE execution_id = ? AND node_name = ?',
			[key.executionId, key.nodeName],
		);
		// In time order; steps emitted in one poll share a time and keep the order a review crosses them.
		return rows
			.filter((row) => isStep(row.step))
			.sort((a, b) => Number(a.emitted_ms) - Number(b.emitted_ms) || SLA_STEPS.indexOf(a.step as SlaStep) - SLA_STEPS.indexOf(b.step as SlaStep))
			.map((row) => ({ step: row.step as SlaStep, emittedAt: String(row.emitted_at) }));
	}

	async slaFacts(window: SlaFactsWindow): Promise<SlaReviewFacts[]> {
		const where = windowWhere(window);
		const reviews = parseRows(
			'hitl_pending_reviews',
			slaReviewRowSchema,
			await this.driver.query(
				`SELECT p.execution_id, p.node_name, p.priority, p.requested_ms, p.respond_by_ms, p.deadline_ms, p.status, p.closed_ms, p.reviewers
				 FROM hitl_pending_reviews p WHERE ${where.sql} ORDER BY p.requested_ms, p.execution_id, p.node_name`,
				where.params,
			),
		);
		if (!reviews.length) return [];
		// The answers and steps of those reviews: joined on the same window rather than listed by
		// key, so a period of thousands of reviews is three queries, not a parameter list per review.
		const answers = parseRows(
			'hitl_audit',
			answerRowSchema,
			await this.driver.query(
				`SELECT a.execution_id, a.node_name, a.actor, a.at_ms FROM hitl_audit a
				 JOIN hitl_pending_reviews p ON p.execution_id = a.execution_id AND p.node_name = a.node_name
				 WHERE a.event = 'answered' AND ${where.sql} ORDER BY a.at_ms, a.id`,
				where.params,
			),
		);
		const steps = parseRows(
			'hitl_review_sla_steps',
			stepRowSchema,
			await this.driver.query(
				`SELECT s.execution_id, s.node_name, s.step FROM hitl_review_sla_steps s
				 JOIN hitl_pending_reviews p ON p.execution_id = s.execution_id AND p.node_name = s.node_name
				 WHERE ${where.sql}`,
				where.params,
			),
		);
		const byKey = new Map<string, SlaReviewFacts>();
		const facts = reviews.map((row) => {
			const fact: SlaReviewFacts = {
				executionId: row.execution_id,
				nodeName: row.node_name,
				priority: row.priority,
				requestedMs: row.requested_ms,
				respondByMs: row.respond_by_ms,
				deadlineMs: row.deadline_ms,
				status: row.status,
				closedMs: row.closed_ms,
				reviewers: row.reviewers.map((reviewer) => ({ id: reviewer.id, name: reviewer.name ?? reviewer.id })),
				answers: [],
				steps: [],
			};
			byKey.set(`${row.execution_id}\n${row.node_name}`, fact);
			return fact;
		});
		for (const row of answers) byKey.get(`${row.execution_id}\n${row.node_name}`)?.answers.push({ actor: row.actor ?? 'link', atMs: row.at_ms });
		for (const row of steps) {
			if (isStep(row.step)) byKey.get(`${row.execution_id}\n${row.node_name}`)?.steps.push(row.step);
		}
		for (const fact of facts) fact.steps.sort((a, b) => SLA_STEPS.indexOf(a) - SLA_STEPS.indexOf(b));
		return facts;
	}

	async overdueReviews(now: string, workflowId?: string): Promise<OverdueReview[]> {
		const nowMs = ms(now, 'now');
		const rows = parseRows(
			'hitl_pending_reviews',
			overdueRowSchema,
			await this.driver.query(
				// Past the hard deadline a review has timed out (n8n resumed it on Timed Out), whether or
				// not the store has marked it expired yet: that is not "overdue now".
				`SELECT priority, reviewers, claimed_by, claim_expires_ms, respond_by_ms FROM hitl_pending_reviews
				 WHERE status = 'pending' AND respond_by_ms IS NOT NULL AND respond_by_ms < ?
				   AND (deadline_ms IS NULL OR deadline_ms > ?)${workflowId ? ' AND workflow_id = ?' : ''}
				 ORDER BY respond_by_ms`,
				[nowMs, nowMs, ...(workflowId ? [workflowId] : [])],
			),
		);
		return rows.map((row) => ({
			priority: row.priority,
			reviewers: row.reviewers.map((reviewer) => ({ id: reviewer.id, name: reviewer.name ?? reviewer.id })),
			...(row.claimed_by !== null && Number(row.claim_expires_ms) > nowMs ? { claimedBy: row.claimed_by } : {}),
			respondByMs: row.respond_by_ms,
		}));
	}
}
