/**
 * Calls the Human Approval Wait node's webhook() on a WAITING execution produced by the workflow
 * harness, through n8n-core's own WebhookContext built from that execution's run data — the
 * way n8n's WaitingForms does after it has checked the execution's token. The HTTP request and
 * response are plain stand-ins (the e2e tier drives the real n8n server and a real browser).
 */
import { mock } from 'jest-mock-extended';
import { WebhookContext } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type INodeTypes,
	type IRun,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { loadPackageNodes, nodeTypeOfVersion } from '../../support/packageNodes';
import type { WorkflowJson } from '../harness';

export interface FakeResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
}

export interface WebhookCall {
	result: IWebhookResponseData;
	response: FakeResponse;
}

class Credentials extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(): Promise<never> {
		throw new Error('not used');
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}
	async getDecrypted(_additionalData: unknown, _details: unknown, type: string) {
		const data = this.data[type];
		if (!data) throw new Error(`No test credential "${type}"`);
		return data;
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return [];
	}
}

export async function callReviewWebhook(
	workflowJson: WorkflowJson,
	run: IRun,
	nodeName: string,
	request: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: Record<string, unknown>; executionId?: string },
	credentials: Record<string, ICredentialDataDecryptedObject> = {},
): Promise<WebhookCall> {
	const packageNodes = loadPackageNodes();
	const nodeTypes: INodeTypes = {
		getByName: (type) => packageNodes.get(type)!,
		// Only the package's own types are needed; others (the trigger) resolve to nothing, as before.
		getByNameAndVersion: (type, version) => {
			const nodeType = packageNodes.get(type);
			return (nodeType ? nodeTypeOfVersion(nodeType, version) : undefined)!;
		},
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({
		id: 'workflow-test',
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		nodeTypes,
		active: false,
	});
	const node = workflow.getNode(nodeName)!;
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);

	const response: FakeResponse = { statusCode: 200, headers: {}, body: '' };
	const fakeResponse = {
		status(code: number) {
			response.statusCode = code;
			return fakeResponse;
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
			return fakeResponse;
		},
		end(body: string) {
			response.body = body;
			return fakeResponse;
		},
	};
	const additionalData = mock<IWorkflowExecuteAdditionalData>({
		executionId: request.executionId ?? '1',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		instanceBaseUrl: 'http://localhost:5678/',
		variables: {},
	} as Partial<IWorkflowExecuteAdditionalData> as never);
	// Assigned after mock(): values given to mock() come back as deep proxies, whose missing
	// properties are functions — a form body must answer `undefined` for a field not sent.
	additionalData.httpRequest = {
		method: request.method,
		query: request.query ?? {},
		body: request.body ?? {},
		headers: { 'user-agent': 'workflow-test' },
		params: {},
	} as never;
	additionalData.httpResponse = fakeResponse as never;
	// No parameters from an open editor: n8n-core then checks a credential's display options
	// against the node's own parameters (a workflow whose nodes name their credentials, as saved ones do).
	additionalData.currentNodeParameters = undefined;
	additionalData.credentialsHelper = new Credentials(credentials);

	const webhookData = {
		httpMethod: request.method,
		node: nodeName,
		path: '',
		webhookDescription: nodeType.description.webhooks!.find((webhook) => webhook.httpMethod === request.method)!,
		workflowId: 'workflow-test',
		workflowExecuteAdditionalData: additionalData,
	} as IWebhookData;
	// A fresh copy per request, as n8n reads the execution from its database for each one.
	const runExecutionData = structuredClone(run.data);
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], runExecutionData);
	const result = await nodeType.webhook!.call(context);
	return { result, response };
}
