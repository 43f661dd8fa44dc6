/**
 * Pending reviews and their claims over any SqlDriver (table `hitl_pending_reviews`, migration 4).
 *
 * A claim is a compare-and-set in one conditional UPDATE (`... WHERE claimed_by IS NULL OR the
 * claim expired OR it is mine`): both SQLite and PostgreSQL apply a single UPDATE atomically, so
 * of several reviewers racing for one review — in one n8n process or several — exactly one
 * changes the row and wins; the others read who did.
 *
 * `hitl_pending_counts` keeps the pending counts per reason, per workflow and in all, changed in
 * the same transaction as the row it counts, so the inbox reads them without scanning.
 */
import { maskCardDataDeep } from '../paymentCardData';
import type { SqlDriver, SqlExecutor, SqlValue } from './sqlDriver';
import type {
	ClaimRequest,
	ClaimResult,
	CloseReviewUpdate,
	ListedPendingReview,
	ListPendingOptions,
	PendingCounts,
	PendingReviewFilter,
	PendingReviewKey,
	PendingReviewRecord,
	PendingReviewStatus,
	PendingReviewStore,
	ReviewClaim,
	StoredPendingReview,
} from './pendingReviewTypes';

type Row = Record<string, unknown>;

/** Sorts reviews without a deadline after every real one (an index cannot sort on COALESCE). */
const NO_DEADLINE_MS = 8_640_000_000_000_000;

/** `|a|b|`: one delimited column a `LIKE '%|a|%'` filter can search without parsing JSON. */
function tagList(values: readonly (string | undefined)[]): string {
	const tags = [...new Set(values.filter((value): value is string => !!value).map((value) => value.replace(/\|/g, '/')))];
	return tags.length ? `|${tags.join('|')}|` : '';
}

function likeTag(value: string): string {
	return `%|${value.replace(/\|/g, '/').replace(/[%_\\]/g, (char) => `\\${char}`)}|%`;
}

function ms(iso: string, what: string): number {
	const value = Date.parse(iso);
	if (!Number.isFinite(value)) throw new Error(`hitl store: ${what} is not an ISO time: ${iso}`);
	return value;
}

function whereOf(filter: PendingReviewFilter): { sql: string; params: SqlValue[] } {
	const clauses = ["status = 'pending'"];
	const params: SqlValue[] = [];
	if (filter.workflowId) {
		clauses.push('workflow_id = ?');
		params.push(filter.workflowId);
	}
	if (filter.intent) {
		clauses.push("intents LIKE ? ESCAPE '\\'");
		params.push(likeTag(filter.intent));
	}
	if (filter.reason) {
		clauses.push("reasons LIKE ? ESCAPE '\\'");
		params.push(likeTag(filter.reason));
	}
	if (filter.reviewerId) {
		clauses.push("(reviewer_ids LIKE ? ESCAPE '\\' OR claimed_by = ?)");
		params.push(likeTag(filter.reviewerId), filter.reviewerId);
	}
	return { sql: clauses.join(' AND '), params };
}

/** The claim held at `nowMs` by the claim columns' values: none once it expired. */
function claimAt(claimedBy: unknown, claimedName: unknown, claimedMs: unknown, claimExpiresMs: unknown, nowMs: number): ReviewClaim | undefined {
	if (claimedBy === null || claimedBy === undefined) return undefined;
	if (Number(claimExpiresMs) <= nowMs) return undefined;
	return {
		reviewerId: String(claimedBy),
		...(claimedName !== null && claimedName !== undefined ? { reviewerName: String(claimedName) } : {}),
		claimedAt: new Date(Number(claimedMs)).toISOString(),
		expiresAt: new Date(Number(claimExpiresMs)).toISOString(),
	};
}

function claimOf(row: Row, nowMs: number): ReviewClaim | undefined {
	return claimAt(row.claimed_by, row.claimed_name, row.claimed_ms, row.claim_expires_ms, nowMs);
}

/** A `hitl_pending_reviews` row as a review (also read by sqlReviewSla.ts). */
export function pendingReviewFromRow(row: Row, nowMs: number): StoredPendingReview {
	const claim = claimOf(row, nowMs);
	const optional = (column: string) => (row[column] === null || row[column] === undefined ? undefined : String(row[column]));
	const review: StoredPendingReview = {
		executionId: String(row.execution_id),
		nodeName: String(row.node_name),
		nodeId: String(row.node_id),
		title: String(row.title),
		items: JSON.parse(String(row.items)) as StoredPendingReview['items'],
		requestedAt: String(row.requested_at),
		reviewerMode: String(row.reviewer_mode) === 'named' ? 'named' : 'link',
		reviewers: JSON.parse(String(row.reviewers)) as StoredPendingReview['reviewers'],
		priority: Number(row.priority),
		status: String(row.status) as PendingReviewStatus,
	};
	const workflowId = optional('workflow_id');
	const workflowName = optional('workflow_name');
	const deadline = optional('deadline');
	const sealedLink = optional('sealed_link');
	const closedAt = optional('closed_at');
	if (workflowId) review.workflowId = workflowId;
	if (workflowName) review.workflowName = workflowName;
	if (deadline) review.deadline = deadline;
	if (sealedLink) review.sealedLink = sealedLink;
	const resumeBase = optional('resume_base');
	const linkHash = optional('link_hash');
	if (resumeBase) review.resumeBase = resumeBase;
	if (linkHash) review.linkHash = linkHash;
	if (closedAt) review.closedAt = closedAt;
	const respondBy = optional('respond_by');
	if (respondBy) review.respondBy = respondBy;
	if (row.backup_reviewers !== null && row.backup_reviewers !== undefined) {
		review.backupReviewers = JSON.parse(String(row.backup_reviewers)) as NonNullable<StoredPendingReview['backupReviewers']>;
	}
	if (row.decisions !== null && row.decisions !== undefined) review.decisions = JSON.parse(String(row.decisions)) as string[];
	if (row.decided_by !== null && row.decided_by !== undefined) review.decidedBy = JSON.parse(String(row.decided_by)) as string[];
	if (claim && review.status === 'pending') review.claim = claim;
	return review;
}

/**
 * Reviewer lists by their JSON, within one read: the reviews of a team name the same reviewers, and
 * each is parsed once per page (frozen: the rows of the page share it).
 */
type ReviewerLists = Map<string, ListedPendingReview['reviewers']>;

function reviewerList(json: unknown, lists: ReviewerLists): ListedPendingReview['reviewers'] {
	const text = String(json);
	let list = lists.get(text);
	if (!list) {
		list = Object.freeze((JSON.parse(text) as ListedPendingReview['reviewers']).map((reviewer) => Object.freeze(reviewer))) as ListedPendingReview['reviewers'];
		lists.set(text, list);
	}
	return list;
}

/** A row of LISTED_COLUMNS, read as an array: one object of one shape (the inbox converts 50 per page). */
function listedFromRow(row: unknown[], nowMs: number, lists: ReviewerLists): ListedPendingReview {
	const [
		executionId,
		nodeName,
		nodeId,
		workflowId,
		workflowName,
		title,
		items,
		reviewerMode,
		reviewers,
		priority,
		requestedAt,
		deadline,
		status,
		claimedBy,
		claimedName,
		claimedMs,
		claimExpiresMs,
		respondBy,
		backupReviewers,
		opensFromInbox,
	] = row;
	const review: ListedPendingReview = {
		executionId: String(executionId),
		nodeName: String(nodeName),
		nodeId: String(nodeId),
		title: String(title),
		items: JSON.parse(String(items)) as ListedPendingReview['items'],
		requestedAt: String(requestedAt),
		reviewerMode: reviewerMode === 'named' ? 'named' : 'link',
		reviewers: reviewerList(reviewers, lists),
		priority: Number(priority),
		status: String(status) as PendingReviewStatus,
		opensFromInbox: Number(opensFromInbox) === 1,
	};
	if (workflowId !== null) review.workflowId = String(workflowId);
	if (workflowName !== null) review.workflowName = String(workflowName);
	if (deadline !== null) review.deadline = String(deadline);
	if (respondBy !== null) review.respondBy = String(respondBy);
	if (backupReviewers !== null) review.backupReviewers = JSON.parse(String(backupReviewers)) as NonNullable<ListedPendingReview['backupReviewers']>;
	const claim = claimAt(claimedBy, claimedName, claimedMs, claimExpiresMs, nowMs);
	if (claim) review.claim = claim;
	return review;
}

/** The counter rows one review adds to (or, closed, takes from). */
function countKeys(workflowId: string | undefined, workflowName: string | undefined, reasons: string[]): { kind: string; key: string; label: string }[] {
	return [
		{ kind: 'all', key: '', label: '' },
		...(workflowId ? [{ kind: 'workflow', key: workflowId, label: workflowName ?? workflowId }] : []),
		...[...new Set(reasons)].map((reason) => ({ kind: 'reason', key: reason, label: reason })),
	];
}

/**
 * The 'all' counter has no label of its own: its label holds the counters' revision, raised by every
 * change of any counter (each change includes the 'all' row, in the same transaction). The inbox
 * keeps its workflow list (100 rows of counters in the benchmark) until the revision moves.
 */
const CHANGE_ALL_COUNT = `INSERT INTO hitl_pending_counts (kind, count_key, label, pending) VALUES ('all', '', '1', ?)
	ON CONFLICT (kind, count_key) DO UPDATE SET pending = hitl_pending_counts.pending + excluded.pending,
	  label = CASE WHEN hitl_pending_counts.label = '' THEN '1' ELSE CAST(CAST(hitl_pending_counts.label AS BIGINT) + 1 AS TEXT) END`;

async function changeCounts(tx: SqlExecutor, keys: { kind: string; key: string; label: string }[], delta: 1 | -1): Promise<void> {
	for (const { kind, key, label } of keys) {
		if (kind === 'all') {
			await tx.run(CHANGE_ALL_COUNT, [delta]);
			continue;
		}
		await tx.run(
			`INSERT INTO hitl_pending_counts (kind, count_key, label, pending) VALUES (?, ?, ?, ?)
			 ON CONFLICT (kind, count_key) DO UPDATE SET pending = hitl_pending_counts.pending + excluded.pending, label = excluded.label`,
			[kind, key, label, delta],
		);
	}
}

type WorkflowList = PendingCounts['workflows'];

function readCounts(rows: unknown[][]): { counts: PendingCounts; revision: string } {
	const workflows: { id: string; name: string }[] = [];
	const counts: PendingCounts = { all: 0, byReason: {}, workflows };
	let revision = '';
	for (const [kind, key, label, pending] of rows) {
		if (kind === 'all') {
			counts.all = Number(pending);
			revision = String(label);
		} else if (kind === 'reason') counts.byReason[String(key)] = Number(pending);
		else if (kind === 'workflow') workflows.push(Object.freeze({ id: String(key), name: String(label) }));
	}
	workflows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return { counts, revision };
}

/** What a listed row needs, in listedFromRow's order; half the columns, and a page of rows is read in about half the time. */
const LISTED_COLUMNS = `execution_id, node_name, node_id, workflow_id, workflow_name, title, items, reviewer_mode, reviewers, priority,
	requested_at, deadline, status, claimed_by, claimed_name, claimed_ms, claim_expires_ms, respond_by, backup_reviewers,
	CASE WHEN sealed_link IS NULL THEN 0 ELSE 1 END AS opens_from_inbox`;

/** Where a column selected after LISTED_COLUMNS is in a row array (no column expression holds a comma). */
const LISTED_COLUMN_COUNT = LISTED_COLUMNS.split(',').length;

const ORDER = 'ORDER BY priority DESC, deadline_sort_ms ASC, requested_ms ASC, execution_id ASC, node_name ASC';

/** A claim: the compare-and-set (see the file's header); a take-over sets the claim whoever holds it. */
const TAKE_OVER = `UPDATE hitl_pending_reviews SET claimed_by = ?, claimed_name = ?, claimed_ms = ?, claim_expires_ms = ?,
	  claim_revision = claim_revision + 1
	WHERE execution_id = ? AND node_name = ? AND status = 'pending'`;
const CLAIM = `${TAKE_OVER} AND (claimed_by IS NULL OR claim_expires_ms <= ? OR claimed_by = ?)`;

export class SqlPendingReviews implements PendingReviewStore {
	/** The workflows with pending reviews, as of a revision of the counters (see pendingCounts). */
	private workflows?: { revision: string; list: WorkflowList };
	/** The last answer of listStoppedReviews, as of a revision of the counters. */
	private stopped?: { revision: string; limit: number; sinceMs: number; rows: { review: ListedPendingReview; closedMs: number }[] };

	constructor(private readonly driver: SqlDriver) {}

	async registerPendingReview(given: PendingReviewRecord): Promise<void> {
		const record = maskCardDataDeep(given);
		const reasons = tagList(record.items.flatMap((item) => item.reasons));
		const intents = tagList(record.items.map((item) => item.intent));
		const deadlineMs = record.deadline ? ms(record.deadline, 'deadline') : null;
		await this.driver.transaction(async (tx) => {
			const inserted = await tx.run(
			`INSERT INTO hitl_pending_reviews (execution_id, node_name, node_id, workflow_id, workflow_name, title, item_count,
			   items, reasons, intents, reviewer_ids, reviewers, reviewer_mode, priority, requested_at, requested_ms, deadline,
			   deadline_ms, deadline_sort_ms, sealed_link, resume_base, link_hash, respond_by, respond_by_ms, backup_reviewers, status, claim_revision)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)
			 ON CONFLICT (execution_id, node_name) DO NOTHING`,
			[
				given.executionId,
				given.nodeName,
				given.nodeId,
				record.workflowId ?? null,
				record.workflowName ?? null,
				record.title,
				record.items.length,
				JSON.stringify(record.items),
				reasons,
				intents,
				tagList(record.reviewers.map((reviewer) => reviewer.id)),
				JSON.stringify(record.reviewers),
				record.reviewerMode,
				Math.round(record.priority),
				record.requestedAt,
				ms(record.requestedAt, 'requestedAt'),
				record.deadline ?? null,
				deadlineMs,
				deadlineMs ?? NO_DEADLINE_MS,
				// The sealed link is ciphertext: masking it could only break it.
				given.sealedLink ?? null,
				given.resumeBase ?? null,
				given.linkHash ?? null,
				record.respondBy ?? null,
				record.respondBy ? ms(record.respondBy, 'respondBy') : null,
				record.backupReviewers?.length ? JSON.stringify(record.backupReviewers) : null,
			],
			);
			if (inserted === 1) await changeCounts(tx, countKeys(record.workflowId, record.workflowName, record.items.flatMap((item) => item.reasons)), 1);
		});
	}

	async getPendingReview(key: PendingReviewKey, now: string): Promise<StoredPendingReview | undefined> {
		const rows = await this.driver.query<Row>('SELECT * FROM hitl_pending_reviews WHERE execution_id = ? AND node_name = ?', [
			key.executionId,
			key.nodeName,
		]);
		return rows.length ? pendingReviewFromRow(rows[0], ms(now, 'now')) : undefined;
	}

	async listPendingReviews(filter: PendingReviewFilter, options: ListPendingOptions): Promise<ListedPendingReview[]> {
		const where = whereOf(filter);
		const limit = Math.max(1, Math.min(500, Math.floor(options.limit ?? 50)));
		const offset = Math.max(0, Math.floor(options.offset ?? 0));
		const rows = await this.driver.queryArrays(`SELECT ${LISTED_COLUMNS} FROM hitl_pending_reviews WHERE ${where.sql} ${ORDER} LIMIT ? OFFSET ?`, [
			...where.params,
			limit,
			offset,
		]);
		const nowMs = ms(options.now, 'now');
		const lists: ReviewerLists = new Map();
		return rows.map((row) => listedFromRow(row, nowMs, lists));
	}

	async countPendingReviews(filter: PendingReviewFilter): Promise<number> {
		if (!filter.workflowId && !filter.intent && !filter.reason && !filter.reviewerId) {
			const rows = await this.driver.query<{ pending: unknown }>("SELECT pending FROM hitl_pending_counts WHERE kind = 'all' AND count_key = ''");
			return Number(rows[0]?.pending ?? 0);
		}
		const where = whereOf(filter);
		const rows = await this.driver.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM hitl_pending_reviews WHERE ${where.sql}`, where.params);
		return Number(rows[0]?.n ?? 0);
	}

	async pendingCounts(): Promise<PendingCounts> {
		// The total and the reasons (a few rows); the workflows' rows only when the counters' revision
		// moved since they were last read (see CHANGE_ALL_COUNT).
		const { counts, revision } = readCounts(
			await this.driver.queryArrays("SELECT kind, count_key, label, pending FROM hitl_pending_counts WHERE kind IN ('all', 'reason') AND pending > 0"),
		);
		if (revision && this.workflows?.revision === revision) return { ...counts, workflows: this.workflows.list };
		// Every counter still counting something, in one statement: the list and its revision agree.
		const all = readCounts(await this.driver.queryArrays('SELECT kind, count_key, label, pending FROM hitl_pending_counts WHERE pending > 0'));
		// Frozen: every caller until the next change gets this same list (the inbox keeps its options by it).
		const list = Object.freeze(all.counts.workflows) as WorkflowList;
		this.workflows = all.revision ? { revision: all.revision, list } : undefined;
		return { ...all.counts, workflows: list };
	}

	async expireOverdueReviews(now: string): Promise<number> {
		// An indexed probe that finds nothing on almost every call; the write only when it finds some.
		const overdue = await this.driver.queryArrays(
			"SELECT execution_id, node_name, deadline FROM hitl_pending_reviews WHERE status = 'pending' AND deadline_sort_ms <= ? LIMIT 500",
			[ms(now, 'now')],
		);
		let expired = 0;
		for (const [executionId, nodeName, deadline] of overdue) {
			const key = { executionId: String(executionId), nodeName: String(nodeName) };
			// Closed at the deadline: that is when the review stopped being answerable.
			if (await this.closePendingReview(key, { status: 'expired', at: String(deadline) })) expired++;
		}
		return expired;
	}

	async listStoppedReviews(since: string, options: { now: string; limit?: number }): Promise<ListedPendingReview[]> {
		const limit = Math.max(1, Math.min(100, Math.floor(options.limit ?? 10)));
		const sinceMs = ms(since, 'since');
		// A review stops only through closePendingReview, which changes the counters: while their
		// revision stands, the last answer holds, less what has since left the window (the rows are
		// latest first, so those are at its end). Read before the rows, so the rows are no older.
		const revision = String((await this.driver.queryArrays("SELECT label FROM hitl_pending_counts WHERE kind = 'all' AND count_key = ''"))[0]?.[0] ?? '');
		const cached = this.stopped;
		if (revision && cached?.revision === revision && cached.limit === limit && sinceMs >= cached.sinceMs) {
			return cached.rows.filter((row) => row.closedMs >= sinceMs).map((row) => ({ ...row.review }));
		}
		const rows = await this.driver.queryArrays(
			`SELECT ${LISTED_COLUMNS}, closed_at, closed_ms FROM hitl_pending_reviews
			 WHERE status IN ('expired', 'cancelled') AND closed_ms >= ? ORDER BY closed_ms DESC, execution_id, node_name LIMIT ?`,
			[sinceMs, limit],
		);
		// Closed reviews hold no claim, so `now` changes nothing in them.
		const nowMs = ms(options.now, 'now');
		const lists: ReviewerLists = new Map();
		const stopped = rows.map((row) => {
			const review = listedFromRow(row, nowMs, lists);
			const closedAt = row[LISTED_COLUMN_COUNT];
			if (closedAt !== null) review.closedAt = String(closedAt);
			return { review, closedMs: Number(row[LISTED_COLUMN_COUNT + 1]) };
		});
		this.stopped = revision ? { revision, limit, sinceMs, rows: stopped } : undefined;
		return stopped.map((row) => ({ ...row.review }));
	}

	async closePendingReview(key: PendingReviewKey, update: CloseReviewUpdate): Promise<boolean> {
		return this.driver.transaction(async (tx) => {
			const rows = await tx.query<Row>(
				"SELECT workflow_id, workflow_name, reasons FROM hitl_pending_reviews WHERE execution_id = ? AND node_name = ? AND status = 'pending'",
				[key.executionId, key.nodeName],
			);
			if (!rows.length) return false;
			const changed = await tx.run(
				`UPDATE hitl_pending_reviews SET status = ?, closed_at = ?, closed_ms = ?, decisions = ?, decided_by = ?,
				   claimed_by = NULL, claimed_name = NULL, claimed_ms = NULL, claim_expires_ms = NULL, claim_revision = claim_revision + 1
				 WHERE execution_id = ? AND node_name = ? AND status = 'pending'`,
				[
					update.status,
					update.at,
					ms(update.at, 'at'),
					update.decisions ? JSON.stringify(update.decisions) : null,
					update.decidedBy ? JSON.stringify(maskCardDataDeep(update.decidedBy)) : null,
					key.executionId,
					key.nodeName,
				],
			);
			if (changed !== 1) return false;
			const row = rows[0];
			const reasons = String(row.reasons ?? '').split('|').filter(Boolean);
			await changeCounts(
				tx,
				countKeys(row.workflow_id === null ? undefined : String(row.workflow_id), row.workflow_name === null ? undefined : String(row.workflow_name), reasons),
				-1,
			);
			return true;
		});
	}

	async claimReview(key: PendingReviewKey, request: ClaimRequest): Promise<ClaimResult> {
		const nowMs = ms(request.now, 'now');
		const before = request.takeOver ? await this.getPendingReview(key, request.now) : undefined;
		// The row changed only if this claimant won, and then it holds exactly what was written:
		// the claim is known without reading it back (one statement, as cheap as a bare UPDATE).
		const won = await this.driver.run(
			request.takeOver ? TAKE_OVER : CLAIM,
			[
				request.reviewerId,
				request.reviewerName ?? null,
				nowMs,
				nowMs + request.ttlMs,
				key.executionId,
				key.nodeName,
				...(request.takeOver ? [] : [nowMs, request.reviewerId]),
			],
		);
		const claim: ReviewClaim | undefined =
			won === 1
				? {
						reviewerId: request.reviewerId,
						...(request.reviewerName ? { reviewerName: request.reviewerName } : {}),
						claimedAt: new Date(nowMs).toISOString(),
						expiresAt: new Date(nowMs + request.ttlMs).toISOString(),
					}
				: undefined;
		if (claim) {
			const tookOverFrom = before?.claim && before.claim.reviewerId !== request.reviewerId ? before.claim : undefined;
			return { ok: true, claim, ...(tookOverFrom ? { tookOverFrom } : {}) };
		}
		const current = await this.getPendingReview(key, request.now);
		if (!current || current.status !== 'pending') return { ok: false, why: 'notPending', status: current?.status ?? 'unknown' };
		if (current.claim && current.claim.reviewerId !== request.reviewerId) return { ok: false, why: 'claimedByOther', claim: current.claim };
		// Changed by a concurrent writer between the UPDATE and the read: report it as theirs.
		return { ok: false, why: 'notPending', status: current.status };
	}

	async releaseClaim(key: PendingReviewKey, reviewerId: string): Promise<boolean> {
		const changed = await this.driver.run(
			`UPDATE hitl_pending_reviews SET claimed_by = NULL, claimed_name = NULL, claimed_ms = NULL, claim_expires_ms = NULL,
			   claim_revision = claim_revision + 1
			 WHERE execution_id = ? AND node_name = ? AND claimed_by = ?`,
			[key.executionId, key.nodeName, reviewerId],
		);
		return changed > 0;
	}
}
