/**
 * The review links' signatures live in nodes/shared/reviewSignatures.ts, one implementation for
 * Human Approval Wait and the Review Inbox (whose personal inbox links use the same scheme).
 */
export * from '../shared/reviewSignatures';
