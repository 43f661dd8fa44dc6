/**
 * The store's schema and its migrations. Each migration is a list of statements applied in one
 * transaction together with its row in `hitl_schema_version`, so a database is always at exactly
 * one version. Opening a store migrates it; concurrent openers are serialized (SQLite: the write
 * lock of BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock).
 */
import { AGGREGATE_TABLES, aggregateTableStatements, clusteredAggregateStatements, DAILY_KINDS, DAY_MS, DAYS_TABLE, rebuildAggregateRows } from './decisionAggregates';
import type { SqlDriver, SqlExecutor } from './sqlDriver';
import { STORE_SCHEMA_VERSION } from './types';

type Dialect = SqlDriver['dialect'];

interface Migration {
	version: number;
	statements(dialect: Dialect): string[];
	/** Fills what the statements created, in the same transaction. */
	after?(driver: SqlDriver, tx: SqlExecutor): Promise<unknown>;
}

const idColumn = (dialect: Dialect) =>
	dialect === 'postgres' ? 'id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'id INTEGER PRIMARY KEY';

const MIGRATIONS: Migration[] = [
	{
		version: 1,
		statements: (dialect) => [
			`CREATE TABLE hitl_decisions (
				${idColumn(dialect)},
				execution_id TEXT NOT NULL,
				node_name TEXT NOT NULL,
				item_index INTEGER NOT NULL,
				case_id TEXT NOT NULL,
				workflow_id TEXT,
				workflow_name TEXT,
				route TEXT,
				decision TEXT NOT NULL,
				confidence DOUBLE PRECISION,
				confidence_pct INTEGER,
				confidence_method TEXT,
				model TEXT,
				prompt_version TEXT,
				input_text TEXT,
				draft_text TEXT,
				final_text TEXT,
				texts_hashed INTEGER NOT NULL,
				edited INTEGER NOT NULL,
				edit_distance INTEGER,
				reviewers TEXT NOT NULL,
				reason TEXT,
				comment TEXT,
				rule_ids TEXT NOT NULL,
				sampled_for_audit INTEGER NOT NULL,
				time_to_decision_ms BIGINT,
				prompt_tokens INTEGER,
				completion_tokens INTEGER,
				cost_usd DOUBLE PRECISION,
				requested_at TEXT,
				decided_at TEXT,
				recorded_at TEXT NOT NULL,
				recorded_ms BIGINT NOT NULL,
				CONSTRAINT hitl_decisions_key UNIQUE (execution_id, node_name, item_index)
			)`,
			'CREATE INDEX hitl_decisions_recorded ON hitl_decisions (recorded_ms)',
			// One row per reviewer answer and per fired rule, so per-reviewer and per-rule figures
			// are SQL aggregates rather than JSON parsing of every decision.
			`CREATE TABLE hitl_decision_reviewers (
				decision_id BIGINT NOT NULL REFERENCES hitl_decisions (id) ON DELETE CASCADE,
				reviewer_id TEXT NOT NULL,
				reviewer_name TEXT,
				decision TEXT NOT NULL,
				answer_ms BIGINT
			)`,
			'CREATE INDEX hitl_decision_reviewers_decision ON hitl_decision_reviewers (decision_id)',
			`CREATE TABLE hitl_decision_rules (
				decision_id BIGINT NOT NULL REFERENCES hitl_decisions (id) ON DELETE CASCADE,
				rule_id TEXT NOT NULL
			)`,
			'CREATE INDEX hitl_decision_rules_decision ON hitl_decision_rules (decision_id)',
			`CREATE TABLE hitl_review_state (
				execution_id TEXT NOT NULL,
				node_name TEXT NOT NULL,
				state TEXT NOT NULL,
				revision INTEGER NOT NULL,
				updated_at TEXT NOT NULL,
				updated_ms BIGINT NOT NULL,
				PRIMARY KEY (execution_id, node_name)
			)`,
			`CREATE TABLE hitl_audit (
				${idColumn(dialect)},
				execution_id TEXT NOT NULL,
				node_name TEXT NOT NULL,
				case_id TEXT,
				event TEXT NOT NULL,
				actor TEXT,
				detail TEXT,
				at TEXT NOT NULL,
				at_ms BIGINT NOT NULL,
				idempotency_key TEXT UNIQUE
			)`,
			'CREATE INDEX hitl_audit_execution ON hitl_audit (execution_id)',
			'CREATE INDEX hitl_audit_at ON hitl_audit (at_ms)',
		],
	},
	{
		// Time on the review page per answer: a rubber stamp is a fast read of the page, not a fast
		// answer to the request (a link can sit in an inbox for hours before a two-second approval).
		version: 2,
		statements: () => ['ALTER TABLE hitl_decision_reviewers ADD COLUMN page_ms BIGINT'],
	},
	{
		// The Confidence Gate's unbiased learning and drift detector (issue 12): the probability the
		// gate sent each draft to a person (its inverse weights the label), the slice a detector
		// watches, and one shared state row per gate so every n8n process runs the same detector.
		version: 3,
		statements: () => [
			'ALTER TABLE hitl_decisions ADD COLUMN review_probability DOUBLE PRECISION',
			'ALTER TABLE hitl_decisions ADD COLUMN slice TEXT',
			`CREATE TABLE hitl_gate_state (
				state_key TEXT PRIMARY KEY,
				state TEXT NOT NULL,
				revision INTEGER NOT NULL,
				updated_at TEXT NOT NULL,
				updated_ms BIGINT NOT NULL
			)`,
			// The gate reads a workflow's rows after an id it has already seen (its incremental
			// aggregate, the detector's cursor): this index makes those reads a short range scan.
			'CREATE INDEX hitl_decisions_workflow_id ON hitl_decisions (workflow_id, id)',
		],
	},
	{
		// Maintained aggregates (issue 16): Metrics and Calibration read whole periods from these
		// instead of every decision. Filled from the decisions already recorded by version 8, which
		// every upgrade through this one also runs (in the same transaction).
		version: 4,
		statements: () => aggregateTableStatements(['outcomes', 'reviewers', 'histograms', 'confidence']),
	},
	{
		// The Review Inbox (issue 14): one row per review Human Approval Wait opens, what the inbox
		// lists, and the claim that says who is on it (see sqlPendingReviews.ts).
		version: 5,
		statements: () => [
			`CREATE TABLE hitl_pending_reviews (
				execution_id TEXT NOT NULL,
				node_name TEXT NOT NULL,
				node_id TEXT NOT NULL,
				workflow_id TEXT,
				workflow_name TEXT,
				title TEXT NOT NULL,
				item_count INTEGER NOT NULL,
				items TEXT NOT NULL,
				reasons TEXT NOT NULL,
				intents TEXT NOT NULL,
				reviewer_ids TEXT NOT NULL,
				reviewers TEXT NOT NULL,
				reviewer_mode TEXT NOT NULL,
				priority INTEGER NOT NULL,
				requested_at TEXT NOT NULL,
				requested_ms BIGINT NOT NULL,
				deadline TEXT,
				deadline_ms BIGINT,
				deadline_sort_ms BIGINT NOT NULL,
				sealed_link TEXT,
				resume_base TEXT,
				link_hash TEXT,
				status TEXT NOT NULL,
				closed_at TEXT,
				closed_ms BIGINT,
				decisions TEXT,
				decided_by TEXT,
				claimed_by TEXT,
				claimed_name TEXT,
				claimed_ms BIGINT,
				claim_expires_ms BIGINT,
				claim_revision INTEGER NOT NULL,
				PRIMARY KEY (execution_id, node_name)
			)`,
			// The inbox's first page: pending reviews by priority, then time left, then age — the
			// whole ORDER BY, so the first 50 rows are read off the index without sorting.
			'CREATE INDEX hitl_pending_reviews_queue ON hitl_pending_reviews (status, priority DESC, deadline_sort_ms, requested_ms, execution_id, node_name)',
			'CREATE INDEX hitl_pending_reviews_workflow ON hitl_pending_reviews (workflow_id, status)',
			// Pending counts per reason, per workflow and in all, kept in step with the table in the
			// same transaction: the inbox shows them on every page without scanning every review.
			`CREATE TABLE hitl_pending_counts (
				kind TEXT NOT NULL,
				count_key TEXT NOT NULL,
				label TEXT NOT NULL,
				pending INTEGER NOT NULL,
				PRIMARY KEY (kind, count_key)
			)`,
		],
	},
	{
		// Review SLAs (issue 15): a respond-within target and backup reviewers per pending review, and
		// one row per SLA step emitted — its primary key makes "each step once" a compare-and-set
		// (see sqlReviewSla.ts).
		version: 6,
		statements: () => [
			'ALTER TABLE hitl_pending_reviews ADD COLUMN respond_by TEXT',
			'ALTER TABLE hitl_pending_reviews ADD COLUMN respond_by_ms BIGINT',
			'ALTER TABLE hitl_pending_reviews ADD COLUMN backup_reviewers TEXT',
			'CREATE INDEX hitl_pending_reviews_sla ON hitl_pending_reviews (status, respond_by_ms)',
			`CREATE TABLE hitl_review_sla_steps (
				execution_id TEXT NOT NULL,
				node_name TEXT NOT NULL,
				step TEXT NOT NULL,
				emitted_at TEXT NOT NULL,
				emitted_ms BIGINT NOT NULL,
				PRIMARY KEY (execution_id, node_name, step)
			)`,
		],
	},
	{
		// Review Inbox (issue 14): reviews past their deadline are marked expired when the inbox
		// reads (n8n calls no node code when a wait times out), found by deadline; and the inbox
		// shows the reviews that stopped waiting lately (expired, cancelled), found by status and
		// closing time. See sqlPendingReviews.ts.
		version: 7,
		statements: () => [
			'CREATE INDEX hitl_pending_reviews_deadline ON hitl_pending_reviews (status, deadline_sort_ms)',
			'CREATE INDEX hitl_pending_reviews_closed ON hitl_pending_reviews (status, closed_ms)',
		],
	},
	{
		// Hourly twins of the daily aggregates (issue 16): a window's whole hours beside its whole
		// days come from these, so only the part of an hour at each end is read from the decisions.
		version: 8,
		statements: () => aggregateTableStatements(['reviewersHourly', 'histogramsHourly', 'confidenceHourly']),
		// Every day summed into the daily tables, as before the days mark (version 10).
		after: (driver, tx) => rebuildAggregateRows(driver, tx, Number.POSITIVE_INFINITY),
	},
	{
		// One row per reviewer answer and per fired rule (version 1) repeated what the decision row's
		// `reviewers` and `rule_ids` JSON columns hold; since the maintained aggregates, only the
		// window edges, retention and rebuilds read them, and writing them was a sixth of the cost of
		// recording a decision (issue 16). Those reads now take the JSON columns. The aggregates are
		// rebuilt from them, so what retention later takes away is what was added (a page time the
		// JSON kept for a decision recorded before version 2 was not in its child row).
		version: 9,
		statements: () => ['DROP TABLE hitl_decision_rules', 'DROP TABLE hitl_decision_reviewers'],
		after: (driver, tx) => rebuildAggregateRows(driver, tx, Number.POSITIVE_INFINITY),
	},
	{
		// The days mark (DAYS_TABLE in decisionAggregates.ts): recording no longer writes the daily
		// rows with every batch, the first recording of a day sums the days before it from their
		// hours (issue 16: an eighth of the cost of recording). The mark starts at the newest
		// decision's day, whose daily rows go: its hourly rows hold it. No rebuild. On SQLite the
		// aggregate tables are copied into WITHOUT ROWID tables (clusteredAggregateStatements).
		version: 10,
		statements: (dialect) => [
			`CREATE TABLE ${DAYS_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), summed_before_ms BIGINT NOT NULL)`,
			`INSERT INTO ${DAYS_TABLE} (id, summed_before_ms) SELECT 1, COALESCE(MAX(recorded_ms) / ${DAY_MS} * ${DAY_MS}, 0) FROM hitl_decisions`,
			...DAILY_KINDS.map((kind) => `DELETE FROM ${AGGREGATE_TABLES[kind].name} WHERE period_ms >= (SELECT summed_before_ms FROM ${DAYS_TABLE})`),
			...clusteredAggregateStatements(dialect),
		],
	},
];

// Guards against a migration added without bumping the version the interface announces.
if (MIGRATIONS[MIGRATIONS.length - 1].version !== STORE_SCHEMA_VERSION) {
	throw new Error('hitl store: the last migration must carry STORE_SCHEMA_VERSION');
}

/** A fixed key for pg_advisory_xact_lock ("hitl" in ASCII), shared by every opener. */
const MIGRATION_LOCK_KEY = 0x6869746c;

async function currentVersion(tx: SqlExecutor): Promise<number> {
	const rows = await tx.query<{ version: number | string | null }>('SELECT MAX(version) AS version FROM hitl_schema_version');
	return Number(rows[0]?.version ?? 0);
}

/** Creates or migrates the schema to STORE_SCHEMA_VERSION; returns the version it found. */
export async function migrate(driver: SqlDriver): Promise<number> {
	return driver.transaction(async (tx) => {
		if (driver.dialect === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
		await tx.run(
			'CREATE TABLE IF NOT EXISTS hitl_schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
		);
		const found = await currentVersion(tx);
		if (found > STORE_SCHEMA_VERSION) {
			throw new Error(
				`The HITL store's database is at schema version ${found}, newer than this package understands ` +
					`(${STORE_SCHEMA_VERSION}). Update n8n-nodes-hitl on every n8n process that uses this store.`,
			);
		}
		for (const migration of MIGRATIONS) {
			if (migration.version <= found) continue;
			for (const statement of migration.statements(driver.dialect)) await tx.run(statement);
			await migration.after?.(driver, tx);
			await tx.run('INSERT INTO hitl_schema_version (version, applied_at) VALUES (?, ?)', [
				migration.version,
				new Date().toISOString(),
			]);
		}
		return found;
	});
}

export async function readSchemaVersion(driver: SqlDriver): Promise<number> {
	return currentVersion(driver);
}
