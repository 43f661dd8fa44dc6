/**
 * Publishes (activates) an imported workflow through n8n's REST API as the owner does in the
 * editor. For workflows that start on a polling trigger: N8nServer and QueueCluster wait for the
 * webhooks of the workflows imported as published, which a polling trigger never registers.
 */
import type { N8nServer } from '../n8nServer';

export async function publishWorkflow(server: N8nServer, workflowId: string): Promise<void> {
	const headers = { 'content-type': 'application/json', cookie: `n8n-auth=${await server.ownerCookie()}` };
	const read = await fetch(`${server.baseUrl}/rest/workflows/${workflowId}`, { headers });
	if (!read.ok) throw new Error(`Reading workflow ${workflowId} failed: ${read.status} ${await read.text()}`);
	const { versionId } = ((await read.json()) as { data: { versionId: string } }).data;
	const activated = await fetch(`${server.baseUrl}/rest/workflows/${workflowId}/activate`, { method: 'POST', headers, body: JSON.stringify({ versionId }) });
	if (!activated.ok) throw new Error(`Publishing workflow ${workflowId} failed: ${activated.status} ${await activated.text()}`);
}
