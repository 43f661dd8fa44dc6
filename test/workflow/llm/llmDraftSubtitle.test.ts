/**
 * The line under LLM Draft on the canvas. The editor computes it the way this test does: n8n's
 * own Workflow (which fills in parameter defaults) and `getSimpleParameterValue` over the node's
 * `subtitle` expression, with no execution data. The e2e editor test reads it on the canvas too.
 */
import { Workflow, type INode, type INodeParameters, type INodeTypes } from 'n8n-workflow';

import { loadPackageNodes, nodeTypeVersion } from '../../support/packageNodes';

const TYPE = 'n8n-nodes-hitl.llmDraft';
const nodes = loadPackageNodes();
const nodeTypes: INodeTypes = {
	getByName: (type) => nodes.get(type)!,
	getByNameAndVersion: (type, version) => nodeTypeVersion(nodes.get(type)!, version),
	getKnownTypes: () => ({}),
};

function subtitleFor(parameters: INodeParameters): unknown {
	const node: INode = { id: '1', name: 'LLM Draft', type: TYPE, typeVersion: 1, position: [0, 0], parameters };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const { subtitle } = nodeTypeVersion(nodes.get(TYPE)!, 1).description;
	return workflow.expression.getSimpleParameterValue(workflow.getNode('LLM Draft')!, subtitle, 'internal', {});
}

describe('LLM Draft subtitle, for every shape the Model parameter takes', () => {
	test.each<[string, INodeParameters, string]>([
		['from the list', { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini', cachedResultName: 'gpt-4o-mini' } }, 'gpt-4o-mini · verbalized'],
		['by ID (the template)', { model: { __rl: true, mode: 'id', value: 'llama3.1:8b' }, confidenceMethod: 'combined' }, 'llama3.1:8b · combined'],
		['a plain string (a workflow saved before the locator)', { model: 'gpt-4o', confidenceMethod: 'logprobs' }, 'gpt-4o · logprobs'],
		['an expression inside the locator', { model: { __rl: true, mode: 'id', value: '={{ $json.model }}' } }, 'model from expression · verbalized'],
		['an expression as the whole parameter', { model: '={{ $json.model }}', confidenceMethod: 'judge' }, 'model from expression · judge'],
		['a new node: nothing chosen yet', {}, 'no model chosen · verbalized'],
		['an empty ID', { model: { __rl: true, mode: 'id', value: '  ' } }, 'no model chosen · verbalized'],
		['the method as an expression', { model: 'gpt-4o', confidenceMethod: '={{ $json.method }}' }, 'gpt-4o · method from expression'],
	])('%s', (_shape, parameters, expected) => {
		expect(subtitleFor(parameters)).toBe(expected);
	});
});
