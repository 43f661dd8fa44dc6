/**
 * Small JSON states shared by every n8n process, written by compare-and-set on a revision: a Human
 * Approval Wait node's partial quorum answers (one per execution and node) and the Confidence
 * Gate's drift detector (one per key). Two reviewers answering at once in different processes must
 * not lose a vote, so a write names the revision it read.
 */
import { maskCardDataDeep } from '../paymentCardData';
import type { SqlDriver } from './sqlDriver';
import { parseRow, sharedStateRowSchema } from './storeRows';
import type {
	GateState,
	JsonValue,
	PutReviewStateOptions,
	PutReviewStateResult,
	ReviewState,
	ReviewStateKey,
	SharedStateStore,
} from './types';

const MAX_STATE_RETRIES = 50;

const REVIEW_TABLE = 'hitl_review_state';
const GATE_TABLE = 'hitl_gate_state';

export class SharedStates implements SharedStateStore {
	constructor(private readonly driver: SqlDriver) {}

	async getReviewState(key: ReviewStateKey): Promise<ReviewState | undefined> {
		const rows = await this.driver.query(`SELECT state, revision, updated_at FROM ${REVIEW_TABLE} WHERE execution_id = ? AND node_name = ?`, [
			key.executionId,
			key.nodeName,
		]);
		return rows.length ? this.stateOf(REVIEW_TABLE, rows[0]) : undefined;
	}

	async putReviewState(key: ReviewStateKey, state: JsonValue, options: PutReviewStateOptions = {}): Promise<PutReviewStateResult> {
		const now = new Date();
		const json = JSON.stringify(maskCardDataDeep(state));
		const expected = options.expectedRevision;
		if (expected === undefined) {
			const rows = await this.driver.query(
				`INSERT INTO ${REVIEW_TABLE} (execution_id, node_name, state, revision, updated_at, updated_ms)
				 VALUES (?, ?, ?, 1, ?, ?)
				 ON CONFLICT (execution_id, node_name) DO UPDATE SET state = excluded.state,
				   revision = ${REVIEW_TABLE}.revision + 1, updated_at = excluded.updated_at, updated_ms = excluded.updated_ms
				 RETURNING revision`,
				[key.executionId, key.nodeName, json, now.toISOString(), now.getTime()],
			);
			return { ok: true, revision: parseRow(REVIEW_TABLE, sharedStateRowSchema.pick({ revision: true }), rows[0]).revision };
		}
		const changed =
			expected === 0
				? await this.driver.run(
						`INSERT INTO ${REVIEW_TABLE} (execution_id, node_name, state, revision, updated_at, updated_ms)
						 VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (execution_id, node_name) DO NOTHING`,
						[key.executionId, key.nodeName, json, now.toISOString(), now.getTime()],
					)
				: await this.driver.run(
						`UPDATE ${REVIEW_TABLE} SET state = ?, revision = revision + 1, updated_at = ?, updated_ms = ?
						 WHERE execution_id = ? AND node_name = ? AND revision = ?`,
						[json, now.toISOString(), now.getTime(), key.executionId, key.nodeName, expected],
					);
		if (changed === 1) return { ok: true, revision: expected + 1 };
		const current = await this.getReviewState(key);
		return { ok: false, currentRevision: current?.revision ?? 0 };
	}

	async updateReviewState(key: ReviewStateKey, mutate: (current: JsonValue | undefined) => JsonValue): Promise<ReviewState> {
		for (let attempt = 0; attempt < MAX_STATE_RETRIES; attempt++) {
			const current = await this.getReviewState(key);
			const next = mutate(current?.state);
			const result = await this.putReviewState(key, next, { expectedRevision: current?.revision ?? 0 });
			if (result.ok) return { state: next, revision: result.revision, updatedAt: new Date().toISOString() };
			await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
		}
		throw new Error(
			`Review state of execution ${key.executionId} (node "${key.nodeName}") kept changing under ` +
				`${MAX_STATE_RETRIES} attempts to update it; try again.`,
		);
	}

	async getGateState(key: string): Promise<GateState | undefined> {
		const rows = await this.driver.query(`SELECT state, revision, updated_at FROM ${GATE_TABLE} WHERE state_key = ?`, [key]);
		return rows.length ? this.stateOf(GATE_TABLE, rows[0]) : undefined;
	}

	async putGateState(key: string, state: JsonValue, expectedRevision: number): Promise<PutReviewStateResult> {
		const now = new Date();
		const json = JSON.stringify(state);
		const changed =
			expectedRevision === 0
				? await this.driver.run(
						`INSERT INTO ${GATE_TABLE} (state_key, state, revision, updated_at, updated_ms)
						 VALUES (?, ?, 1, ?, ?) ON CONFLICT (state_key) DO NOTHING`,
						[key, json, now.toISOString(), now.getTime()],
					)
				: await this.driver.run(
						`UPDATE ${GATE_TABLE} SET state = ?, revision = revision + 1, updated_at = ?, updated_ms = ?
						 WHERE state_key = ? AND revision = ?`,
						[json, now.toISOString(), now.getTime(), key, expectedRevision],
					);
		if (changed === 1) return { ok: true, revision: expectedRevision + 1 };
		const current = await this.getGateState(key);
		return { ok: false, currentRevision: current?.revision ?? 0 };
	}

	private stateOf(table: string, raw: unknown): ReviewState {
		const row = parseRow(table, sharedStateRowSchema, raw);
		return { state: row.state, revision: row.revision, updatedAt: row.updated_at };
	}
}
