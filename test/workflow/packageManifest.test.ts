/**
 * What n8n needs to load this package: every file the package.json `n8n` section lists exists
 * in dist/ after a build, and each node/credential there has what the node panel shows.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { loadPackageCredentials, loadPackageNodes, PROJECT_ROOT, readPackageJson } from '../support/packageNodes';

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
			.filter((file) => file.endsWith('.node.ts'))
			.map((file) => `dist/nodes/${file.replace(/\.ts$/, '.js')}`);
		expect(pkg.n8n.nodes.slice().sort()).toEqual(built.sort());
	});

	const nodes = [...loadPackageNodes().entries()];
	test.each(nodes)('%s has an icon, a description, a codex file and named outputs', (_type, node) => {
		const { description } = node as INodeType;
		const file = pkg.n8n.nodes.find((entry) => entry.includes(`/${description.displayName.replace(/\s/g, '')}/`));
		expect(file).toBeDefined();
		const folder = path.dirname(path.join(PROJECT_ROOT, file!));
		const icons = iconFiles(description.icon);
		expect(icons.length).toBeGreaterThan(0);
		for (const icon of icons) expect(existsSync(path.join(folder, icon))).toBe(true);
		expect(existsSync(path.join(PROJECT_ROOT, file!.replace(/\.js$/, '.json')))).toBe(true);
		expect(description.description.length).toBeGreaterThan(20);
		for (const property of description.properties) {
			if (property.type === 'notice' || property.type === 'collection') continue;
			expect([property.name, property.description ?? property.hint]).toEqual([property.name, expect.any(String)]);
		}
		const outputs = Array.isArray(description.outputs) ? description.outputs : [];
		if (outputs.length > 1) expect(description.outputNames).toHaveLength(outputs.length);
	});

	test('every credential has an icon and a credential test', () => {
		for (const [name, credential] of loadPackageCredentials()) {
			expect([name, credential.icon ?? credential.iconUrl]).toEqual([name, expect.anything()]);
			expect([name, credential.test]).toEqual([name, expect.anything()]);
		}
	});
});
