/**
 * Loads the compiled nodes and credentials this package declares in package.json's `n8n`
 * section, the same list n8n reads when it loads a community package.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ICredentialType, INodeType, IVersionedNodeType } from 'n8n-workflow';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

interface PackageJson {
	name: string;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
}

export function readPackageJson(): PackageJson {
	return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** Instantiates the one exported class of a compiled node or credential file. */
function instantiate<T>(relativePath: string): T {
	const file = path.join(PROJECT_ROOT, relativePath);
	if (!existsSync(file)) {
		throw new Error(`${relativePath} is listed in package.json but missing: run "npm run build" first`);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n loads packages by require() too
	const exported = require(file) as Record<string, new () => T>;
	const [Class] = Object.values(exported);
	return new Class();
}

export interface PackageNode {
	/** The type name workflows use, e.g. `n8n-nodes-hitl.confidenceGate`. */
	type: string;
	/** The compiled file, relative to the project root, as package.json lists it. */
	file: string;
	node: INodeType | IVersionedNodeType;
}

export function listPackageNodes(): PackageNode[] {
	const pkg = readPackageJson();
	return pkg.n8n.nodes.map((file) => {
		const node = instantiate<INodeType | IVersionedNodeType>(file);
		return { type: `${pkg.name}.${node.description.name}`, file, node };
	});
}

/**
 * The node type n8n runs for a workflow node of `typeVersion` (the newest without one): a
 * VersionedNodeType hands out one class per version, a plain node type is its own.
 */
export function nodeTypeOfVersion(node: INodeType | IVersionedNodeType, version?: number): INodeType {
	return 'nodeVersions' in node ? node.getNodeType(version) : node;
}

export function loadPackageNodes(): Map<string, INodeType | IVersionedNodeType> {
	return new Map(listPackageNodes().map(({ type, node }) => [type, node]));
}

export function loadPackageCredentials(): Map<string, ICredentialType> {
	const credentials = new Map<string, ICredentialType>();
	for (const file of readPackageJson().n8n.credentials) {
		const credential = instantiate<ICredentialType>(file);
		credentials.set(credential.name, credential);
	}
	return credentials;
}
