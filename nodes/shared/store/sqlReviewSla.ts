/**
 * Review-SLA step bookkeeping over any SqlDriver (table `hitl_review_sla_steps`, migration 5).
 *
 * "Each step once per review" is the table's primary key (execution, node, step): recording a
 * step is one `INSERT … ON CONFLICT DO NOTHING`, which SQLite and PostgreSQL each apply atomically,
 * so of several pollers (a restarted one, or two n8n processes in queue mode) racing to emit the
 * same step exactly one inserts the row and emits it; the others see 0 rows changed and skip it.
 */
import { SLA_STEPS, type SlaStep } from '../reviewSlaSteps';
import type { PendingReviewKey } from './pendingReviewTypes';
import type { ListSlaCandidatesOptions, ReviewSlaStore, SlaCandidate, SlaStepRecord } from './reviewSlaTypes';
import type { SqlDriver } from './sqlDriver';
import { pendingReviewFromRow } from './sqlPendingReviews';

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
}
