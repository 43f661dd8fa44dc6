/**
 * The LLM API credential: read into the connection the node uses, and tested the way the node
 * will call the provider — `GET <Base URL>/models` with the same headers — with an answer that
 * says which URL answered what and what to change. The usual mistakes it names: a Base URL
 * without its API version (`/v1`: the server answers 404), a wrong host or port (connection
 * refused), a wrong key (401), https:// against a plain-HTTP server and the reverse.
 */
import type { INodeCredentialTestResult } from 'n8n-workflow';

import { explainConnectionError } from '../shared/explainConnectionError';
import type { LlmConnection } from './chatClient';
import { parseExtraHeaders } from './extraHeaders';
import { keepAliveFetch, proxyConfigured } from './keepAliveFetch';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Long enough for a model list from a slow gateway, short enough for a dialog. */
const TEST_TIMEOUT_MS = 15_000;

export function llmConnectionFromCredential(
	data: Record<string, unknown>,
): { ok: true; connection: LlmConnection } | { ok: false; problem: string } {
	const headers = parseExtraHeaders(data.headers);
	if (!headers.ok) return { ok: false, problem: headers.problem };
	return {
		ok: true,
		connection: {
			baseUrl: String(data.baseUrl || DEFAULT_BASE_URL).trim(),
			apiKey: String(data.apiKey ?? ''),
			organization: data.organization ? String(data.organization) : undefined,
			headers: headers.headers,
		},
	};
}

type ModelsAnswer =
	| { kind: 'list'; url: string; ids: string[] }
	| { kind: 'status'; url: string; status: number; statusText: string; detail: string }
	| { kind: 'notAList'; url: string; contentType: string; start: string }
	| { kind: 'failed'; url: string; error: unknown };

function modelsUrl(baseUrl: URL): string {
	return `${baseUrl.href.replace(/\/+$/, '')}/models`;
}

/** The provider's own words from an error body (OpenAI: `{ error: { message } }`), shortened. */
function providerDetail(body: string): string {
	let message = body;
	try {
		const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
		const candidate = typeof parsed.error === 'object' ? parsed.error?.message : (parsed.error ?? parsed.message ?? parsed.detail);
		if (typeof candidate === 'string') message = candidate;
	} catch {
		// not JSON: keep the text
	}
	message = message.replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
	return message.length > 160 ? `${message.slice(0, 157)}…` : message;
}

async function getModels(connection: LlmConnection, baseUrl: URL): Promise<ModelsAnswer> {
	const url = modelsUrl(baseUrl);
	const headers: Record<string, string> = { accept: 'application/json', ...connection.headers };
	if (connection.apiKey) headers.Authorization = `Bearer ${connection.apiKey}`;
	if (connection.organization) headers['OpenAI-Organization'] = connection.organization;
	// The same transport the node's client uses (see createChatClient).
	const send = proxyConfigured() ? fetch : keepAliveFetch;
	let response: Response;
	try {
		response = await send(url, { method: 'GET', headers, signal: AbortSignal.timeout(TEST_TIMEOUT_MS) });
	} catch (error) {
		return { kind: 'failed', url, error };
	}
	const body = await response.text();
	if (!response.ok) {
		return { kind: 'status', url, status: response.status, statusText: response.statusText, detail: providerDetail(body) };
	}
	try {
		const parsed = JSON.parse(body) as { data?: unknown };
		if (Array.isArray(parsed.data)) {
			const ids = parsed.data.map((model) => String((model as { id?: unknown }).id ?? '')).filter(Boolean);
			return { kind: 'list', url, ids };
		}
	} catch {
		// not JSON: reported below
	}
	return {
		kind: 'notAList',
		url,
		contentType: response.headers.get('content-type') ?? 'no content type',
		start: body.replace(/\s+/g, ' ').trim().slice(0, 40),
	};
}

/** `http://host:11434` → `http://host:11434/v1`: the version the Base URL most often lacks. */
function withVersion(baseUrl: URL): URL | undefined {
	if (/\/v\d+[a-z]*\/?$/i.test(baseUrl.pathname)) return undefined;
	return new URL(`${baseUrl.href.replace(/\/+$/, '')}/v1`);
}

function listed(ids: string[]): string {
	if (ids.length === 0) return 'no models';
	const shown = ids.slice(0, 3).join(', ');
	return `${ids.length} model${ids.length === 1 ? '' : 's'} (${shown}${ids.length > 3 ? ', …' : ''})`;
}

function statusLine(answer: { url: string; status: number; statusText: string; detail: string }): string {
	const detail = answer.detail ? `: "${answer.detail}"` : '';
	return `GET ${answer.url} answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}${detail}`;
}

export async function testLlmCredential(data: Record<string, unknown>): Promise<INodeCredentialTestResult> {
	const read = llmConnectionFromCredential(data);
	if (!read.ok) return { status: 'Error', message: `${read.problem}. Fix Extra Headers.` };
	const { connection } = read;
	let baseUrl: URL;
	try {
		baseUrl = new URL(connection.baseUrl);
		if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new Error('not HTTP');
	} catch {
		return {
			status: 'Error',
			message: `Base URL "${connection.baseUrl}" is not an http:// or https:// address. Write it in full, e.g. http://localhost:11434/v1 (Ollama) or ${DEFAULT_BASE_URL}.`,
		};
	}

	const answer = await getModels(connection, baseUrl);
	if (answer.kind === 'list') {
		return { status: 'OK', message: `GET ${answer.url} listed ${listed(answer.ids)}` };
	}

	// A 404, or a web page instead of a list: most often the Base URL stops before the API version.
	const versioned = answer.kind === 'status' && answer.status === 404 || answer.kind === 'notAList' ? withVersion(baseUrl) : undefined;
	const probe = versioned ? await getModels(connection, versioned) : undefined;
	const fixVersion =
		probe?.kind === 'list'
			? ` The API is one level down: GET ${probe.url} lists ${listed(probe.ids)}. Set Base URL to ${versioned!.href.replace(/\/+$/, '')}.`
			: ` Base URL must be the API's address up to and including its version, e.g. http://localhost:11434/v1 (Ollama), https://openrouter.ai/api/v1 or ${DEFAULT_BASE_URL}.`;

	if (answer.kind === 'notAList') {
		return {
			status: 'Error',
			message: `GET ${answer.url} answered, but not with a model list (${answer.contentType}, starting "${answer.start}"): this is not an OpenAI-compatible API.${fixVersion}`,
		};
	}
	if (answer.kind === 'status') {
		if (answer.status === 404) return { status: 'Error', message: `${statusLine(answer)}.${fixVersion}` };
		if (answer.status === 401 || answer.status === 403) {
			const fix = connection.apiKey
				? 'The API key is wrong, expired or lacks access: check API Key' + (connection.organization ? ' and Organization ID' : '') + '.'
				: 'The server wants an API key and none is set: fill in API Key.';
			return { status: 'Error', message: `${statusLine(answer)}. ${fix}` };
		}
		if (answer.status === 429) {
			return {
				status: 'Error',
				message: `${statusLine(answer)}. The key is accepted but its rate limit or quota is used up: wait, or add credit / raise the limit with the provider.`,
			};
		}
		if (answer.status >= 500) {
			return {
				status: 'Error',
				message: `${statusLine(answer)}. The server (or a proxy in front of it) failed: see its logs, or try again later.`,
			};
		}
		return { status: 'Error', message: `${statusLine(answer)}. Check Base URL and Extra Headers.` };
	}

	const port = Number(baseUrl.port) || (baseUrl.protocol === 'https:' ? 443 : 80);
	const explained = explainConnectionError(answer.error, {
		server: 'the LLM API',
		host: baseUrl.hostname,
		port,
		tls: baseUrl.protocol === 'https:',
		field: 'the host and port in Base URL (Ollama listens on 11434, vLLM on 8000, LiteLLM on 4000 by default)',
		plainInstead: 'write http:// instead of https:// in Base URL',
		tlsInstead: 'write https:// instead of http:// in Base URL',
	});
	if (explained) return { status: 'Error', message: `GET ${answer.url}: ${explained}` };
	const reason = answer.error instanceof Error ? answer.error.message : String(answer.error);
	if (answer.error instanceof Error && (answer.error.name === 'TimeoutError' || answer.error.name === 'AbortError')) {
		return {
			status: 'Error',
			message: `GET ${answer.url} got no answer within ${TEST_TIMEOUT_MS / 1000} s. Check the host and port in Base URL, and whether the server is overloaded.`,
		};
	}
	return { status: 'Error', message: `GET ${answer.url} failed: ${reason}. Check Base URL.` };
}
