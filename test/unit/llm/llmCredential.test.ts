/**
 * The LLM API credential's "Test" against real listeners on loopback: the local OpenAI-compatible
 * server (test/llm), a port where nothing listens, servers answering 404 / 401 / 500 / a web page,
 * and a TLS server with a self-signed certificate. Each answer must name the URL that was asked,
 * what came back, and what to change.
 */
import { testLlmCredential } from '../../../nodes/LlmDraft/llmCredential';
import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { answeringHttp, closedPort, selfSignedTls, type Listener } from '../../support/loopbackListeners';

let llm: FakeLlmServer;
let origin: string;
const listeners: Listener[] = [];

beforeAll(async () => {
	llm = await startFakeLlmServer({ apiKey: 'sk-right' });
	origin = llm.baseUrl.replace(/\/v1$/, '');
});
afterAll(async () => {
	await llm.close();
	await Promise.all(listeners.map((listener) => listener.close()));
});

async function track(listener: Promise<Listener>): Promise<Listener> {
	const started = await listener;
	listeners.push(started);
	return started;
}

test('the right Base URL and key: OK, with the URL and the models it lists', async () => {
	expect(await testLlmCredential({ baseUrl: llm.baseUrl, apiKey: 'sk-right' })).toEqual({
		status: 'OK',
		message: `GET ${llm.baseUrl}/models listed 3 models (fake-gpt, fake-gpt-nologprobs, fake-reasoner)`,
	});
});

test('a Base URL without /v1: the 404, and the Base URL that works', async () => {
	const result = await testLlmCredential({ baseUrl: `${origin}/`, apiKey: 'sk-right' });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`GET ${origin}/models answered 404 Not Found: "Unknown path /models"`);
	expect(result.message).toContain(`GET ${origin}/v1/models lists 3 models`);
	expect(result.message).toContain(`Set Base URL to ${origin}/v1.`);
});

test('a port where nothing listens: the address, "connection refused", and to check host and port', async () => {
	const port = await closedPort();
	const result = await testLlmCredential({ baseUrl: `http://127.0.0.1:${port}/v1` });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`GET http://127.0.0.1:${port}/v1/models: Nothing accepts connections at 127.0.0.1:${port} (connection refused)`);
	expect(result.message).toContain('Check the host and port in Base URL');
});

test('a wrong key: the 401 with the provider\'s words, and to check API Key', async () => {
	const result = await testLlmCredential({ baseUrl: llm.baseUrl, apiKey: 'sk-wrong' });
	expect(result).toEqual({
		status: 'Error',
		message: `GET ${llm.baseUrl}/models answered 401 Unauthorized: "Incorrect API key provided". The API key is wrong, expired or lacks access: check API Key.`,
	});
});

test('no key where the server wants one: to fill in API Key', async () => {
	const result = await testLlmCredential({ baseUrl: llm.baseUrl });
	expect(result.message).toMatch(/answered 401 Unauthorized.*The server wants an API key and none is set: fill in API Key\.$/);
});

test('a server that answers 404 everywhere: the URL, the 404, and what a Base URL looks like', async () => {
	const server = await track(answeringHttp(404, '{"error":{"message":"no such route"}}'));
	const result = await testLlmCredential({ baseUrl: `http://127.0.0.1:${server.port}/api` });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`GET http://127.0.0.1:${server.port}/api/models answered 404 Not Found: "no such route".`);
	expect(result.message).toContain('Base URL must be the API\'s address up to and including its version, e.g. http://localhost:11434/v1');
});

test('a web page instead of the API: says it is not an OpenAI-compatible API', async () => {
	const server = await track(answeringHttp(200, '<!DOCTYPE html><html><body>Open WebUI</body></html>', 'text/html'));
	const result = await testLlmCredential({ baseUrl: `http://127.0.0.1:${server.port}` });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`GET http://127.0.0.1:${server.port}/models answered, but not with a model list (text/html, starting "<!DOCTYPE html>`);
	expect(result.message).toContain('this is not an OpenAI-compatible API');
});

test('a failing server: the 500 and to look at the server', async () => {
	const server = await track(answeringHttp(500, 'upstream exploded', 'text/plain'));
	const result = await testLlmCredential({ baseUrl: `http://127.0.0.1:${server.port}/v1` });
	expect(result.message).toBe(
		`GET http://127.0.0.1:${server.port}/v1/models answered 500 Internal Server Error: "upstream exploded". The server (or a proxy in front of it) failed: see its logs, or try again later.`,
	);
});

test('https:// to a plain-HTTP server: it does not speak TLS, write http://', async () => {
	const result = await testLlmCredential({ baseUrl: llm.baseUrl.replace('http://', 'https://'), apiKey: 'sk-right' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/v1\/models: 127\.0\.0\.1:\d+ does not speak TLS/);
	expect(result.message).toContain('write http:// instead of https:// in Base URL');
});

test('http:// to a TLS server: closed without answering, write https://', async () => {
	const server = await track(selfSignedTls());
	const result = await testLlmCredential({ baseUrl: `http://127.0.0.1:${server.port}/v1` });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`127.0.0.1:${server.port} closed the connection without answering`);
	expect(result.message).toContain('write https:// instead of http:// in Base URL');
});

test('https:// to a self-signed certificate: not trusted, and how to trust it', async () => {
	const server = await track(selfSignedTls());
	const result = await testLlmCredential({ baseUrl: `https://127.0.0.1:${server.port}/v1` });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`The TLS certificate of 127.0.0.1:${server.port} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)`);
	expect(result.message).toContain('NODE_EXTRA_CA_CERTS');
});

test('a host name that does not resolve: the name, and to check its spelling', async () => {
	const result = await testLlmCredential({ baseUrl: 'http://llm.does-not-exist.invalid:8000/v1' });
	expect(result.message).toMatch(/^GET http:\/\/llm\.does-not-exist\.invalid:8000\/v1\/models: The host name "llm\.does-not-exist\.invalid" could not be resolved/);
});

test('a Base URL without a scheme: not an address, and an example', async () => {
	expect(await testLlmCredential({ baseUrl: 'localhost:11434/v1' })).toEqual({
		status: 'Error',
		message: 'Base URL "localhost:11434/v1" is not an http:// or https:// address. Write it in full, e.g. http://localhost:11434/v1 (Ollama) or https://api.openai.com/v1.',
	});
});

test('broken Extra Headers: says so before calling anything', async () => {
	const result = await testLlmCredential({ baseUrl: llm.baseUrl, headers: '{not json' });
	expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/^Extra Headers must be a JSON object.*Fix Extra Headers\.$/) });
});
