// Lint config: n8n's rules for community nodes, on top of typescript-eslint.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
	...tseslint.configs.recommended,
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	// Our package is built for self-hosted n8n, not n8n Cloud: Cloud's extra restrictions on globals
	// and imports (the `recommended` config) cannot apply to a package that keeps a database and sends
	// mail, so we take the config n8n ships for packages without Cloud support.
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
		rules: {
			...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport.rules,
			// The package needs runtime dependencies (the OpenAI client, zod, pg, nodemailer,
			// libphonenumber-js) — all pure JavaScript, so they install under n8n's --ignore-scripts.
			// This rule exists for n8n Cloud verification, which this package does not seek.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['nodes/**/*.node.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// The rule wants every node file to own its whole description; ours keep the long
			// parameter list in description.ts beside the node (as n8n's Airtable v2 node does).
			'n8n-nodes-base/node-filename-against-convention': 'off',
			// These two predate NodeConnectionTypes and want the string literal ['main'], which the
			// newer @n8n/community-nodes/node-connection-type-literal rule forbids; they also assume a
			// single output, while the gate has three.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['nodes/**/description.ts', 'nodes/**/descriptions/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.nodes.rules, 'n8n-nodes-base/node-filename-against-convention': 'off' },
	},
	{
		// package.json is parsed as one object expression so that n8n's rules can check its "n8n"
		// section; only the package rules make sense there.
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules, '@typescript-eslint/no-unused-expressions': 'off' },
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.credentials.rules },
	},
);
