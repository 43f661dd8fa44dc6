/**
 * The HITL store: one interface, two back ends (DESIGN.md, "The store").
 *
 * - `embedded` (default): one SQLite file through Node's built-in `node:sqlite` — no native addon,
 *   because n8n installs community packages with `--ignore-scripts`.
 * - `postgres`: through `pg` (pure JavaScript), for queue mode and several n8n processes.
 *
 * Decisions must outlive n8n's execution pruning (14 days by default), so they live here rather
 * than in the execution data. The Human Approval Wait node also keeps its small keyed review state
 * (partial quorum answers) and an audit trail here, so they survive a restart of n8n.
 *
 * Open a store with `openHitlStore(config)` from `nodes/shared/store` (the caller closes it) or
 * `sharedHitlStore(config)` (one per config per process, never closed by callers). Turn a
 * `HITL Store` credential into a config with `storeConfigFromCredential(data)`.
 *
 * This file is the stable contract other nodes code against: add optional members, never change
 * the meaning of existing ones.
 */

import { DECISION_OUTCOMES, type DecisionOutcome, type GateRoute, type Reviewer } from '../itemContract';
import type { PendingReviewStore } from './pendingReviewTypes';
import type { ReviewSlaStore } from './reviewSlaTypes';

export type * from './pendingReviewTypes';
export type * from './reviewSlaTypes';

/** Bumped with every schema migration; the store records it in its `hitl_schema_version` table. */
export const STORE_SCHEMA_VERSION = 10;

export type StoreBackend = 'embedded' | 'postgres';

export interface EmbeddedStoreConfig {
	backend: 'embedded';
	/** Absolute path of the SQLite file; default `${N8N_USER_FOLDER or ~}/.n8n/hitl.sqlite`. */
	filePath?: string;
	/** How long a writer waits for another writer's lock before failing, ms (default 10 000). */
	busyTimeoutMs?: number;
}

export interface PostgresStoreConfig {
	backend: 'postgres';
	host: string;
	port: number;
	database: string;
	user: string;
	password?: string;
	/** `false`: plain TCP; `true`: TLS with certificate check; `'allowUnauthorized'`: TLS without. */
	ssl?: boolean | 'allowUnauthorized';
	/** Pool size (default 10). */
	maxConnections?: number;
}

export type StoreConfig = EmbeddedStoreConfig | PostgresStoreConfig;

/** Where a decision went at the gate; `null` when no Confidence Gate ran. */
export type DecisionRoute = GateRoute;

// What finally happened to an item: the item contract declares the vocabulary once.
export { DECISION_OUTCOMES, type DecisionOutcome };

/**
 * The idempotency key of a decision: a retried execution re-records the same item of the same
 * node under the same key, and the store keeps the first row.
 */
export interface DecisionKey {
	executionId: string;
	nodeName: string;
	itemIndex: number;
}

/** One row per item that passed a Feedback Log node. Texts are hashes when `textsHashed`. */
export interface DecisionRecord extends DecisionKey {
	caseId: string;
	workflowId: string | null;
	workflowName: string | null;
	route: DecisionRoute | null;
	decision: DecisionOutcome;
	confidence: number | null;
	confidenceMethod: string | null;
	model: string | null;
	promptVersion: string | null;
	/** The message the draft answers (for training-data export); absent when not configured. */
	inputText?: string | null;
	draftText: string | null;
	finalText: string | null;
	/** Privacy mode: inputText / draftText / finalText / comment hold `sha256:<hex>` instead of the texts. */
	textsHashed: boolean;
	edited: boolean;
	editDistance: number | null;
	reviewers: Reviewer[];
	reason: string | null;
	comment: string | null;
	/** Ids of the compliance rules that fired on the item. */
	ruleIds: string[];
	/** The gate sent an auto item to a human as an audit sample (measures auto-send precision). */
	sampledForAudit: boolean;
	/**
	 * The probability that the gate sent this draft to a person, as it decided on the score alone
	 * (1 below the threshold, the audit rate above it); null when a rule, a compliance finding or a
	 * missing score decided, or no gate ran. The Confidence Gate's learning weights labels by its
	 * inverse, so drafts picked at 5 % count for twenty.
	 */
	reviewProbability?: number | null;
	/** The gate's slice of the draft (its intent, or the field the gate names): the drift detector watches each. */
	slice?: string | null;
	timeToDecisionMs: number | null;
	promptTokens: number | null;
	completionTokens: number | null;
	costUsd: number | null;
	/** ISO timestamps. */
	requestedAt: string | null;
	decidedAt: string | null;
	/** When the Feedback Log recorded it; the time windows of metrics and retention use this. */
	recordedAt: string;
}

export interface StoredDecision extends DecisionRecord {
	/** The store's id of the row, stable across replays of the same key. */
	id: string;
}

export interface RecordOutcome {
	id: string;
	/** `false` when a row with the same key already existed (a replay): nothing was written. */
	inserted: boolean;
}

/** Which decisions a query looks at. Bounds are ISO timestamps on `recordedAt`: [since, until). */
export interface DecisionFilter {
	since?: string;
	until?: string;
	workflowId?: string;
	model?: string;
	promptVersion?: string;
	/** Only rows with a store id above this / at most this (for reading what was added since a read). */
	afterId?: string;
	throughId?: string;
}

export interface ListDecisionsOptions {
	/** Page size (default 1 000). */
	limit?: number;
	/** Keyset paging: pass the last `id` of the previous page. Rows come in ascending id order. */
	afterId?: string;
}

export interface StatsOptions {
	/** Approvals faster than this count as rubber stamps: time on the review page, or from the request when the page did not say. */
	rubberStampMs: number;
	/** Width of the override-rate-over-time buckets, ms (e.g. 86 400 000 for days). */
	bucketMs: number;
}

/** Rows counted per (route, decision, audit sample) — every rate is derived from these. */
export interface OutcomeCount {
	route: DecisionRoute | null;
	decision: DecisionOutcome;
	sampledForAudit: boolean;
	count: number;
	/** Sum of `costUsd` over the rows that have one, and how many have one. */
	costUsd: number;
	costCount: number;
}

export interface ReviewerStats {
	reviewerId: string;
	reviewerName: string | null;
	decisions: number;
	approvals: number;
	/** Approvals faster than `rubberStampMs`. */
	fastApprovals: number;
	/** Nearest-rank median of (answer time − request time) over this reviewer's answers. */
	medianDecisionMs: number | null;
}

export interface RuleHits {
	ruleId: string;
	/** Decisions on which this rule fired. */
	hits: number;
}

export interface OverrideBucket {
	/** ISO start of the bucket. */
	bucketStart: string;
	/** Decisions approved, edited or rejected by a human in the bucket. */
	reviewed: number;
	/** Of those, edited or rejected. */
	overridden: number;
}

/**
 * Labelled decisions (approved = correct; edited or rejected = not) grouped by model, prompt
 * version and confidence percent (floor(confidence × 100), 0..100): enough for reliability bins,
 * ECE, Brier score and threshold recommendation without reading rows.
 */
export interface ConfidenceBin {
	model: string | null;
	promptVersion: string | null;
	percent: number;
	count: number;
	correct: number;
	sumConfidence: number;
	/** Σ (confidence − label)², for the Brier score. */
	sumSquaredError: number;
}

/**
 * Every draft the Confidence Gate routed on its score alone (a recorded `reviewProbability`),
 * per model, prompt version and confidence percent: how many were routed, and of those a human
 * labelled (approved = acceptable; edited or rejected = not), the sums of the inverse-probability
 * weights — what the gate's unbiased precision estimate is computed from.
 */
export interface RoutedBin {
	model: string | null;
	promptVersion: string | null;
	percent: number;
	routed: number;
	labelled: number;
	/** Σ 1/π over the labelled drafts. */
	weight: number;
	/** Σ 1/π² over the labelled drafts (for the effective sample size). */
	weightSquared: number;
	/** Σ 1/π over the labelled drafts a human approved unchanged. */
	weightApproved: number;
	/** Σ 1/π² over those (for the calibration model's robust variance). */
	weightSquaredApproved: number;
}

/** One labelled, score-routed draft, in the order the store recorded it: what the drift detector reads. */
export interface LabelledDecision {
	id: string;
	model: string | null;
	promptVersion: string | null;
	confidence: number;
	approved: boolean;
	slice: string | null;
	recordedAt: string;
}

export interface LabelledDecisionFilter extends DecisionFilter {
	/** Default 5 000. */
	limit?: number;
}

/** A small JSON state shared by every n8n process (the Confidence Gate's drift detector). */
export interface GateState {
	state: JsonValue;
	/** Compare-and-set token, as for review states. */
	revision: number;
	updatedAt: string;
}

export interface DecisionStats {
	total: number;
	outcomes: OutcomeCount[];
	/** Nearest-rank percentiles of `timeToDecisionMs` over rows that have one. */
	timeToDecision: { count: number; p50Ms: number | null; p90Ms: number | null };
	reviewers: ReviewerStats[];
	rules: RuleHits[];
	overrideOverTime: OverrideBucket[];
	confidenceBins: ConfidenceBin[];
}

/** Identifies one Human Approval Wait node's state within one execution. */
export interface ReviewStateKey {
	executionId: string;
	nodeName: string;
}

/** A JSON value the store keeps verbatim. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ReviewState {
	state: JsonValue;
	/** Starts at 1 and grows by one with every successful write: the compare-and-set token. */
	revision: number;
	updatedAt: string;
}

export interface PutReviewStateOptions {
	/**
	 * Compare-and-set: write only if the stored revision equals this (`0` = only if absent).
	 * Without it the write is unconditional. Two reviewers answering at once in different n8n
	 * processes must not lose a vote, so read-modify-write callers pass it (or use
	 * `updateReviewState`, which retries).
	 */
	expectedRevision?: number;
}

export type PutReviewStateResult = { ok: true; revision: number } | { ok: false; currentRevision: number };

export interface AuditEntry {
	executionId: string;
	nodeName: string;
	caseId?: string;
	/** What happened, e.g. `requested`, `answered`, `decided`, `timedOut`, `linkOpened`. */
	event: string;
	/** Who did it (reviewer id, `system`, ...). */
	actor?: string;
	detail?: JsonValue;
	/** ISO timestamp; default now. */
	at?: string;
	/** When set, appending the same key twice keeps one entry (for retried webhooks). */
	idempotencyKey?: string;
}

export interface StoredAuditEntry extends AuditEntry {
	id: string;
	at: string;
}

export interface AuditFilter {
	executionId?: string;
	caseId?: string;
	since?: string;
	until?: string;
	/** Default 1 000. Entries come oldest first. */
	limit?: number;
}

export interface RetentionResult {
	decisions: number;
	reviewStates: number;
	auditEntries: number;
}

/** Decisions: recorded idempotently, read back row by row. */
export interface DecisionStore {
	/** Inserts each record unless its key exists; all in one transaction. Results in input order. */
	recordDecisions(records: DecisionRecord[]): Promise<RecordOutcome[]>;
	countDecisions(filter?: DecisionFilter): Promise<number>;
	listDecisions(filter?: DecisionFilter, options?: ListDecisionsOptions): Promise<StoredDecision[]>;
	/** The largest decision id recorded so far (undefined in an empty store). */
	lastDecisionId(): Promise<string | undefined>;
	/** Labelled score-routed drafts after a cursor, oldest first: what the drift detector reads. */
	labelledDecisions(filter: LabelledDecisionFilter): Promise<LabelledDecision[]>;
}

/** Aggregates over the decisions of a window. */
export interface DecisionAnalyticsStore {
	/** The aggregates the Feedback Log's metrics and calibration are computed from. */
	decisionStats(filter: DecisionFilter, options: StatsOptions): Promise<DecisionStats>;
	/** Score-routed drafts and their inverse-probability-weighted labels: what the Confidence Gate learns from. */
	routedBins(filter: DecisionFilter): Promise<RoutedBin[]>;
	/**
	 * Recomputes the maintained aggregates decisionStats reads from the decision rows, in one
	 * transaction (after a restore of the decision tables alone, or a hand edit); returns how many
	 * decisions it counted.
	 */
	rebuildAggregates(): Promise<number>;
}

/** Small JSON states shared by every n8n process, written by compare-and-set. */
export interface SharedStateStore {
	getReviewState(key: ReviewStateKey): Promise<ReviewState | undefined>;
	putReviewState(key: ReviewStateKey, state: JsonValue, options?: PutReviewStateOptions): Promise<PutReviewStateResult>;
	/**
	 * Read-modify-write with compare-and-set, retried on conflict: `mutate` gets the current
	 * state (undefined when absent) and returns the new one. Safe across processes.
	 */
	updateReviewState(
		key: ReviewStateKey,
		mutate: (current: JsonValue | undefined) => JsonValue,
	): Promise<ReviewState>;
	getGateState(key: string): Promise<GateState | undefined>;
	/** Compare-and-set as putReviewState: `expectedRevision` 0 = only if absent. */
	putGateState(key: string, state: JsonValue, expectedRevision: number): Promise<PutReviewStateResult>;
}

/** The audit trail of reviews. */
export interface AuditStore {
	/** Appends an audit entry; returns its id (the existing one for a repeated idempotencyKey). */
	appendAudit(entry: AuditEntry): Promise<string>;
	listAudit(filter?: AuditFilter): Promise<StoredAuditEntry[]>;
}

export interface RetentionStore {
	/** Deletes decisions, review states and audit entries older than the ISO timestamp. */
	deleteOlderThan(before: string): Promise<RetentionResult>;
}

/** The one store the nodes use: a facade over its concerns. */
export interface HitlStore extends DecisionStore, DecisionAnalyticsStore, SharedStateStore, AuditStore, RetentionStore {
	readonly backend: StoreBackend;
	/** Where the data lives, for `hitl.logged.store` and error messages (never a password). */
	readonly location: string;

	/** The schema version the database is at (created / migrated on open). */
	schemaVersion(): Promise<number>;

	/** Pending reviews and claims: what the Review Inbox lists (issue 14). */
	readonly pendingReviews: PendingReviewStore;
	/** Which review-SLA steps were emitted (issue 15). */
	readonly reviewSla: ReviewSlaStore;

	close(): Promise<void>;
}
