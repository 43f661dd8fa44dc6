/**
 * What n8n needs to load this package: every file the package.json `n8n` section lists exists
 * in dist/ after a build, and each node/credential there has what the node panel shows.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { INodeTypeDescription } from 'n8n-workflow';

import { listPackageNodes, loadPackageCredentials, nodeTypeOfVersion, PROJECT_ROOT, readPackageJson } from '../support/packageNodes';

const pkg = readPackageJson();

function iconFiles(icon: INodeTypeDescription['icon']): string[] {
	if (!icon) return [];
	const names = typeof icon === 'string' ? [icon] : [icon.light, icon.dark];
	return names.filter((name) => name.startsWith('file:')).map((name) => name.slice('file:'.length));
}

describe('package manifest', () => {
	test('declares n8n API version 1 and at least one node', () => {
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.nodes.length).toBeGreaterThan(0);
	});

	test.each([...pkg.n8n.nodes, ...pkg.n8n.credentials])('%s exists after the build', (file) => {
		expect(file.startsWith('dist/')).toBe(true);
		expect(existsSync(path.join(PROJECT_ROOT, file))).toBe(true);
	});

	test('every node file in nodes/ is registered', () => {
		const built = readdirSync(path.join(PROJECT_ROOT, 'nodes'), { recursive: true, encoding: 'utf8' })
			// A versioned node's v1/, v2/… classes are loaded by its wrapper, not by n8n.
			.filter((file) => file.endsWith('.node.ts') && !/(^|\/)v\d+\//.test(file))
			.map((file) => `dist/nodes/${file.replace(/\.ts$/, '.js')}`);
		expect(pkg.n8n.nodes.slice().sort()).toEqual(built.sort());
	});

	const nodes = listPackageNodes().map((entry) => [entry.type, entry] as const);
	test.each(nodes)('%s has icons, a description, a codex file, hints and named outputs', (_type, { file, node }) => {
		const { description } = nodeTypeOfVersion(node);
		const folder = path.dirname(path.join(PROJECT_ROOT, file));
		const icons = iconFiles(description.icon);
		expect(icons.length).toBeGreaterThan(0);
		for (const icon of icons) expect(existsSync(path.join(folder, icon))).toBe(true);
		expect(existsSync(path.join(PROJECT_ROOT, file.replace(/\.js$/, '.json')))).toBe(true);
		expect(description.description.length).toBeGreaterThan(20);
		for (const property of description.properties) {
			if (property.type === 'notice' || property.type === 'collection') continue;
			// A user must be told what a parameter is for: by its own description or hint, or, for a
			// list of options, by a description on every option.
			const explained =
				property.description ??
				property.hint ??
				(property.type === 'options' && property.options?.every((option) => 'description' in option && option.description)
					? 'per option'
					: undefined);
			expect([property.name, explained]).toEqual([property.name, expect.any(String)]);
		}
		const outputs = Array.isArray(description.outputs) ? description.outputs : [];
		if (outputs.length > 1) expect(description.outputNames).toHaveLength(outputs.length);
	});

	/** Credentials that reach no server, so there is nothing a test could connect to. */
	const NOTHING_TO_TEST: Record<string, string> = {
		hitlReviewSecretApi: 'a signing secret kept by n8n; it is never sent anywhere',
	};

	test('every credential has an icon and a way to test it', () => {
		const testedByNodes = new Set(
			listPackageNodes().flatMap(({ node }) =>
				(nodeTypeOfVersion(node).description.credentials ?? []).filter((entry) => entry.testedBy).map((entry) => entry.name),
			),
		);
		for (const [name, credential] of loadPackageCredentials()) {
			expect([name, credential.icon ?? credential.iconUrl]).toEqual([name, expect.anything()]);
			const testable = credential.test !== undefined || testedByNodes.has(name) || name in NOTHING_TO_TEST;
			expect([name, testable]).toEqual([name, true]);
		}
	});
});
