/**
 * Is the execution behind a review still waiting in n8n? n8n calls no node code when an execution
 * is cancelled (or deleted), so the store would list its review as pending for ever. The inbox
 * holds the HITL Review Secret, so it can open the review's sealed resume URL and ask n8n itself.
 *
 * The question is a PATCH to the resume URL, a method Human Approval Wait does not serve (GET and
 * POST only), so no node code runs and nothing changes. n8n 2.x checks the execution's token, then
 * its state (packages/cli/src/webhooks/waiting-webhooks.ts):
 * - still waiting: 404 "... does not contain a waiting webhook with a matching path/method";
 * - cancelled, failed or finished: 409 "... has finished with error" / "... has finished already";
 * - deleted: 404 "The execution ... does not exist".
 * Anything else (running, a network error, another n8n's wording) is "unknown" and changes nothing:
 * a review is closed only on n8n's own word that its execution stopped.
 */
export type ExecutionState = 'waiting' | 'stopped' | 'unknown';

export function executionStateOf(status: number, body: string): ExecutionState {
	if (status === 404 && body.includes('does not contain a waiting webhook')) return 'waiting';
	if (status === 409 && /has finished (with error|already)/.test(body)) return 'stopped';
	if (status === 404 && /The execution \S{1,80} does not exist/.test(body)) return 'stopped';
	return 'unknown';
}

export async function checkExecution(resumeUrl: string, timeoutMs = 5_000): Promise<ExecutionState> {
	try {
		const response = await fetch(resumeUrl, { method: 'PATCH', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
		return executionStateOf(response.status, await response.text());
	} catch {
		return 'unknown';
	}
}
