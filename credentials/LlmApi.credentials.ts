import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { parseExtraHeaders } from '../nodes/LlmDraft/extraHeaders';
import { DEFAULT_BASE_URL } from '../nodes/LlmDraft/llmCredential';

/**
 * Any OpenAI-compatible chat API: OpenAI, Azure OpenAI (v1 endpoint), Ollama, vLLM, LiteLLM,
 * OpenRouter. LLM Draft tests it (`llmApiTest`): it lists the models, which every such server
 * serves and which proves the base URL and the key together, and says what to change when that fails.
 */
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- tested by LLM Draft version 1 (testedBy in nodes/LlmDraft/v1/LlmDraftV1.node.ts), which the rule does not read; test/workflow/packageManifest.test.ts checks it on every version
export class LlmApi implements ICredentialType {
	name = 'llmApi';

	displayName = 'LLM API';

	icon = 'file:llmApi.svg' as const;

	// The rule wants a camel-cased doc slug, which only n8n's own repository resolves (its description says
	// so); a community package links its README.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/nodes/LlmDraft/README.md#credential-llm-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Sent as "Authorization: Bearer …". Leave empty for a local server that needs no key.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			placeholder: DEFAULT_BASE_URL,
			description:
				'Where the OpenAI-compatible API lives, up to and including the version, e.g. http://localhost:11434/v1 for Ollama or https://openrouter.ai/api/v1',
		},
		{
			displayName: 'Organization ID',
			name: 'organization',
			type: 'string',
			default: '',
			hint: 'Only needed if your OpenAI key belongs to several organizations',
			description: 'Sent as the OpenAI-Organization header',
		},
		{
			displayName: 'Extra Headers',
			name: 'headers',
			type: 'json',
			default: '{}',
			description: 'More headers as a JSON object, e.g. {"HTTP-Referer": "https://example.com"} for OpenRouter',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const extra = parseExtraHeaders(credentials.headers);
		// A broken Extra Headers value adds no header here; the credential test and the node report it.
		const headers: Record<string, string> = extra.ok ? { ...extra.headers } : {};
		if (credentials.apiKey) headers.Authorization = `Bearer ${String(credentials.apiKey)}`;
		if (credentials.organization) headers['OpenAI-Organization'] = String(credentials.organization);
		requestOptions.headers = { ...(requestOptions.headers ?? {}), ...headers };
		return requestOptions;
	}
}
