/**
 * Who a stored answer belongs to, for the per-reviewer figures (rubber stamps, answer times).
 *
 * A named reviewer answers through a personal link signed with the HITL Review Secret: their id is
 * who they are. Through Human Approval Wait's *Anyone With the Link* every answer carries the same
 * id, `link`, so counted by id, every person who ever opened a shared link would be one reviewer.
 * There the only thing telling people apart is the name they typed on the page — self-declared,
 * not verified — so the store keys such answers by that name (`link:<name>`, case and spacing
 * folded: "Rita  Reviewer" and "rita reviewer" are one person), and keeps `link` for answers
 * without a name. The figures mark these reviewers as self-declared.
 */
import type { Reviewer } from '../shared/itemContract';

/** The id Human Approval Wait gives every answer made through a shared link. */
const SHARED_LINK_ID = 'link';
const SELF_DECLARED_PREFIX = `${SHARED_LINK_ID}:`;

export function storedReviewerId(vote: Pick<Reviewer, 'id' | 'name'>): string {
	if (vote.id !== SHARED_LINK_ID) return vote.id;
	const name = (vote.name ?? '').normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
	return name ? `${SELF_DECLARED_PREFIX}${name}` : SHARED_LINK_ID;
}

/** The reviewer answered through a shared link: known only by the name they gave, if any. */
export function isSelfDeclared(reviewerId: string): boolean {
	return reviewerId === SHARED_LINK_ID || reviewerId.startsWith(SELF_DECLARED_PREFIX);
}
