/**
 * The HitlStore over any SqlDriver: one facade over the store's concerns, each in its own file —
 * decisions (decisionLog), analytics (decisionAnalytics), shared review and gate states
 * (sharedStates), the audit trail (auditLog), retention (retention) and pending reviews with
 * their claims (sqlPendingReviews), review-SLA steps (sqlReviewSla). The same statements serve
 * the embedded (SQLite) and the PostgreSQL back end, so the contract tests exercise one
 * implementation on two engines.
 */
import { AuditLog } from './auditLog';
import { DecisionAnalytics } from './decisionAnalytics';
import { RecordingAggregates } from './decisionAggregates';
import { DecisionLog } from './decisionLog';
import { Retention } from './retention';
import { migrate, readSchemaVersion } from './schema';
import type { PendingReviewStore } from './pendingReviewTypes';
import { SharedStates } from './sharedStates';
import { SqlPendingReviews } from './sqlPendingReviews';
import type { ReviewSlaStore } from './reviewSlaTypes';
import { SqlReviewSla } from './sqlReviewSla';
import type { SqlDriver } from './sqlDriver';
import type { HitlStore, StoreBackend } from './types';

export class SqlHitlStore implements HitlStore {
	private readonly decisions: DecisionLog;
	private readonly analytics: DecisionAnalytics;
	private readonly states: SharedStates;
	private readonly audit: AuditLog;
	private readonly retention: Retention;
	/** Pending reviews and claims (the Review Inbox, issue 14). */
	readonly pendingReviews: PendingReviewStore;
	readonly reviewSla: ReviewSlaStore;

	private constructor(
		private readonly driver: SqlDriver,
		readonly backend: StoreBackend,
		readonly location: string,
	) {
		// The aggregates the analytics read grow in the transaction that records the decisions.
		this.decisions = new DecisionLog(driver, new RecordingAggregates(driver));
		this.analytics = new DecisionAnalytics(driver);
		this.states = new SharedStates(driver);
		this.audit = new AuditLog(driver);
		this.retention = new Retention(driver);
		this.pendingReviews = new SqlPendingReviews(driver);
		this.reviewSla = new SqlReviewSla(driver);
	}

	/** Wraps a driver, creating or migrating the schema first. */
	static async open(driver: SqlDriver, backend: StoreBackend, location: string): Promise<SqlHitlStore> {
		try {
			await migrate(driver);
		} catch (error) {
			await driver.close().catch(() => undefined);
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
			throw error;
		}
		return new SqlHitlStore(driver, backend, location);
	}

	schemaVersion(): Promise<number> {
		return readSchemaVersion(this.driver);
	}

	close(): Promise<void> {
		return this.driver.close();
	}

	readonly recordDecisions: HitlStore['recordDecisions'] = (records) => this.decisions.recordDecisions(records);
	readonly countDecisions: HitlStore['countDecisions'] = (filter) => this.decisions.countDecisions(filter);
	readonly listDecisions: HitlStore['listDecisions'] = (filter, options) => this.decisions.listDecisions(filter, options);
	readonly lastDecisionId: HitlStore['lastDecisionId'] = () => this.decisions.lastDecisionId();
	readonly labelledDecisions: HitlStore['labelledDecisions'] = (filter) => this.decisions.labelledDecisions(filter);

	readonly decisionStats: HitlStore['decisionStats'] = (filter, options) => this.analytics.decisionStats(filter, options);
	readonly routedBins: HitlStore['routedBins'] = (filter) => this.analytics.routedBins(filter);
	readonly rebuildAggregates: HitlStore['rebuildAggregates'] = () => this.analytics.rebuildAggregates();

	readonly getReviewState: HitlStore['getReviewState'] = (key) => this.states.getReviewState(key);
	readonly putReviewState: HitlStore['putReviewState'] = (key, state, options) => this.states.putReviewState(key, state, options);
	readonly updateReviewState: HitlStore['updateReviewState'] = (key, mutate) => this.states.updateReviewState(key, mutate);
	readonly getGateState: HitlStore['getGateState'] = (key) => this.states.getGateState(key);
	readonly putGateState: HitlStore['putGateState'] = (key, state, expected) => this.states.putGateState(key, state, expected);

	readonly appendAudit: HitlStore['appendAudit'] = (entry) => this.audit.appendAudit(entry);
	readonly listAudit: HitlStore['listAudit'] = (filter) => this.audit.listAudit(filter);

	readonly deleteOlderThan: HitlStore['deleteOlderThan'] = (before) => this.retention.deleteOlderThan(before);
}
