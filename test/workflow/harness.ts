/**
 * Runs a workflow JSON in-process with n8n-core's own WorkflowExecute, over this package's
 * COMPILED node types (dist/, exactly what n8n loads), the way n8n's own node tests do
 * (packages/core/nodes-testing/node-test-harness.ts).
 *
 * What is not the real n8n here: the execution's "additional data" (database, push, settings)
 * is a jest-mock-extended stand-in, and the workflow's trigger is a minimal Manual Trigger that
 * emits the test's input items. Everything between — parameter resolution, expressions, item
 * pairing, multiple outputs, continue-on-fail, error outputs, putExecutionToWait — is n8n's code.
 * The e2e tier (test/e2e) runs the same nodes in a real n8n server.
 */
import { mock } from 'jest-mock-extended';
import { ExecutionLifecycleHooks, PollContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	LoggerProxy,
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type ExecutionStatus,
} from 'n8n-workflow';

import { loadPackageCredentials, loadPackageNodes } from '../support/packageNodes';

/** n8n's Manual Trigger, reduced to what tests need: it emits the items it was started with. */
class ManualTriggerStandIn implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Emits the test input',
		defaults: { name: 'Manual Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

class PackageNodeTypes implements INodeTypes {
	private readonly types: Map<string, INodeType | IVersionedNodeType>;

	constructor(extra: Record<string, INodeType> = {}) {
		this.types = new Map<string, INodeType | IVersionedNodeType>([
			['n8n-nodes-base.manualTrigger', new ManualTriggerStandIn()],
			...loadPackageNodes(),
			...Object.entries(extra),
		]);
	}

	getByName(type: string) {
		const nodeType = this.types.get(type);
		if (!nodeType) throw new Error(`Unknown node type "${type}" (known: ${[...this.types.keys()].join(', ')})`);
		return nodeType;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		const nodeType = this.getByName(type);
		if ('nodeVersions' in nodeType) return nodeType.getNodeType(version);
		return nodeType;
	}

	getKnownTypes() {
		return {};
	}
}

/** Hands nodes the decrypted credential data a test gives, keyed by credential type name. */
class TestCredentialsHelper extends ICredentialsHelper {
	private readonly types = loadPackageCredentials();

	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(_credentials: ICredentialDataDecryptedObject, typeName: string): Promise<IHttpRequestOptions> {
		throw new Error(`The workflow test harness does not sign requests (credential type "${typeName}")`);
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(_details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`getCredentials("${type}") is not available in workflow tests`);
	}
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (!data) throw new Error(`No test data for credential type "${type}" (node credential "${details.name}")`);
		const defaults = Object.fromEntries(
			(this.types.get(type)?.properties ?? []).map((property: INodeProperties) => [property.name, property.default]),
		);
		return { ...defaults, ...data } as ICredentialDataDecryptedObject;
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.get(type)?.properties ?? [];
	}
}

// n8n logs every node error it handles; the tests assert on those errors instead.
const silent = () => {};
LoggerProxy.init({ error: silent, warn: silent, info: silent, debug: silent, verbose: silent, scoped: () => LoggerProxy } as never);

export type WorkflowJson = Pick<IWorkflowBase, 'nodes' | 'connections'> & Partial<Pick<IWorkflowBase, 'settings' | 'name'>>;

/**
 * The workflow most tests need: a Manual Trigger feeding one node of this package. `node` holds the
 * node's parameters and anything else on it (credentials, onError, …).
 */
export function oneNodeWorkflow(name: string, type: string, node: Partial<INode> & { parameters: INodeParameters }): WorkflowJson {
	return {
		nodes: [
			{ id: '1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: '2', name, type, typeVersion: 1, position: [200, 0], ...node },
		],
		connections: { Start: { main: [[{ node: name, type: 'main', index: 0 }]] } },
	};
}

export interface RunOptions {
	/** Items the Manual Trigger emits: full items, or plain JSON objects. */
	input?: INodeExecutionData[] | IDataObject[];
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Becomes `$execution.id` and the id in resume URLs. */
	executionId?: string;
	/** Test-only node types by type name, beside the package's own. */
	extraNodeTypes?: Record<string, INodeType>;
	/**
	 * Go on with a waiting execution as n8n's wait tracker does when its time limit passes: n8n
	 * (WorkflowExecute.handleWaitingState) disables the waiting node, which then passes its input
	 * to output 0, and runs the rest of the workflow.
	 */
	resume?: IRun;
}

export interface WorkflowRun {
	status: ExecutionStatus;
	run: IRun;
	/** The items a node put on one of its outputs in its last run ([] when it put none there). */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error the execution ended with, if any. */
	error?: Error;
	/** The nodes in the order they ran. */
	executionOrder: string[];
}

function asItems(input: RunOptions['input']): INodeExecutionData[] {
	if (!input || input.length === 0) return [{ json: {} }];
	return input.map((entry) =>
		'json' in entry && typeof entry.json === 'object' ? (entry as INodeExecutionData) : { json: entry as IDataObject },
	);
}

export async function runWorkflow(workflowJson: WorkflowJson, options: RunOptions = {}): Promise<WorkflowRun> {
	const nodeTypes = new PackageNodeTypes(options.extraNodeTypes);
	const workflow = new Workflow({
		id: 'workflow-test',
		name: workflowJson.name ?? 'workflow test',
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		nodeTypes,
		settings: workflowJson.settings,
		active: false,
	});
	const executionId = options.executionId ?? '1';
	const hooks = new ExecutionLifecycleHooks('manual', executionId, mock());
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	let resolveFinished: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => resolveFinished(fullRunData));

	// Typed loosely on purpose: mock<>() over the full additional-data type is too deep for tsc.
	const additionalData = mock<IWorkflowExecuteAdditionalData>({
		hooks,
		executionId,
		currentNodeParameters: undefined,
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		restApiUrl: 'http://localhost:5678/rest',
		variables: {},
		// No runner identity: n8n would encrypt one into the execution context for OAuth nodes.
		encryptedRunnerIdentity: undefined,
		parentExecution: undefined,
	} as Partial<IWorkflowExecuteAdditionalData> as never);
	additionalData.credentialsHelper = new TestCredentialsHelper(options.credentials ?? {});

	let runExecutionData: IRunExecutionData;
	if (options.resume) {
		// A fresh copy, as n8n reads a waiting execution back from its database.
		runExecutionData = structuredClone(options.resume.data);
	} else {
		const startNode = workflow.getStartNode();
		if (!startNode) throw new Error('The workflow has no start node');
		runExecutionData = {
			resultData: { runData: {} },
			executionData: {
				metadata: {},
				contextData: {},
				waitingExecution: {},
				waitingExecutionSource: null,
				nodeExecutionStack: [{ node: startNode, data: { main: [asItems(options.input)] }, source: null }],
			},
		} as unknown as IRunExecutionData; // the versioned execution-data type wants fields n8n fills itself
	}

	const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	await workflowExecute.processRunExecutionData(workflow);
	const run = await finished;

	return {
		status: run.status,
		run,
		error: run.data.resultData.error,
		executionOrder,
		output(nodeName, outputIndex = 0) {
			const runs = run.data.resultData.runData[nodeName];
			if (!runs) throw new Error(`Node "${nodeName}" did not run (ran: ${executionOrder.join(', ')})`);
			return runs[runs.length - 1].data?.main?.[outputIndex] ?? [];
		},
	};
}

/**
 * Runs a polling trigger's `poll()` once with n8n-core's own PollContext: in `trigger` mode as
 * n8n's ActiveWorkflows does for an active workflow on each poll time, in `manual` mode as the
 * editor's "Fetch Test Event" does. Returns what poll() returned (null: nothing to emit).
 */
export async function pollTrigger(
	workflowJson: WorkflowJson,
	nodeName: string,
	options: { mode?: 'trigger' | 'manual'; credentials?: Record<string, ICredentialDataDecryptedObject> } = {},
): Promise<INodeExecutionData[][] | null> {
	const nodeTypes = new PackageNodeTypes();
	const workflow = new Workflow({
		id: 'workflow-test',
		name: workflowJson.name ?? 'workflow test',
		nodes: workflowJson.nodes,
		connections: workflowJson.connections,
		nodeTypes,
		settings: workflowJson.settings,
		active: true,
	});
	const node = workflow.getNode(nodeName);
	if (!node) throw new Error(`No node "${nodeName}" in the workflow`);
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.poll) throw new Error(`Node "${nodeName}" is not a polling trigger`);
	const additionalData = mock<IWorkflowExecuteAdditionalData>({
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		variables: {},
	} as Partial<IWorkflowExecuteAdditionalData> as never);
	additionalData.credentialsHelper = new TestCredentialsHelper(options.credentials ?? {});
	const mode = options.mode ?? 'trigger';
	const context = new PollContext(workflow, node, additionalData, mode, mode === 'manual' ? 'manual' : 'activate');
	return nodeType.poll.call(context);
}
