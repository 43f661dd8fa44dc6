// Where a process's CPU went, from a V8 CPU profile that bench/queue wrote with BENCH_CPU_PROF:
//
//   node bench/queue/profileShare.mjs <file.cpuprofile>
//
// 1. Each busy sample counts once, for the nearest frame of its stack that belongs to a package
//    (node's internals and the garbage collector count for the package that called them).
//    `pkgdep:` marks this package's own dependencies (openai, zod, pg as installed beside it).
// 2. The share of samples whose stack passes through this package's nodes, by node: their own
//    code, their dependencies and what n8n does for them (evaluating their parameters'
//    expressions, reading their credentials).
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
	console.error('usage: node bench/queue/profileShare.mjs <file.cpuprofile>');
	process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

/** The package a script belongs to: the name after its last `node_modules/`. */
function packageOf(url) {
	const parts = url.split('node_modules/');
	if (parts.length < 2) return undefined;
	const [scope, name] = parts[parts.length - 1].split('/');
	const pkg = scope.startsWith('@') ? `${scope}/${name}` : scope;
	// The package is installed into n8n's community-nodes folder together with its dependencies.
	const besideThePackage = url.includes('/.n8n/nodes/node_modules/') && pkg !== 'n8n-nodes-hitl';
	return besideThePackage ? `pkgdep:${pkg}` : pkg;
}

const owners = new Map();
const throughNodes = new Map();
let busy = 0;
let throughPackage = 0;
for (let index = 0; index < profile.samples.length; index++) {
	const time = profile.timeDeltas[index] ?? 0;
	const leaf = nodes.get(profile.samples[index]).callFrame;
	if (leaf.functionName === '(idle)') continue;
	busy += time;
	let owner;
	let hitlNode;
	for (let id = profile.samples[index]; id !== undefined; id = parents.get(id)) {
		const { url } = nodes.get(id).callFrame;
		const pkg = packageOf(url);
		owner ??= pkg;
		if (pkg === 'n8n-nodes-hitl') hitlNode = /dist\/nodes\/([^/]+)\//.exec(url)?.[1] ?? hitlNode;
	}
	owner ??= leaf.functionName.startsWith('(') ? leaf.functionName : 'node internals (no package caller)';
	owners.set(owner, (owners.get(owner) ?? 0) + time);
	if (hitlNode) {
		throughPackage += time;
		throughNodes.set(hitlNode, (throughNodes.get(hitlNode) ?? 0) + time);
	}
}

const percent = (time) => `${((time / busy) * 100).toFixed(1).padStart(5)} %`;
const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
console.log(`${file}: ${(busy / 1e6).toFixed(1)} s busy`);
console.log('by package (nearest package frame):');
for (const [owner, time] of sorted(owners).slice(0, 20)) console.log(`  ${percent(time)} ${owner}`);
console.log(`stacks through n8n-nodes-hitl's nodes: ${percent(throughPackage)}`);
for (const [node, time] of sorted(throughNodes)) console.log(`  ${percent(time)} ${node}`);
