import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';

import { keepAliveFetch, proxyConfigured } from '../../../nodes/LlmDraft/keepAliveFetch';

let server: Server;
let base: string;

beforeAll(async () => {
	server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			if (request.url === '/gzip') {
				response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
				response.end(gzipSync(JSON.stringify({ zipped: true })));
				return;
			}
			if (request.url === '/slow') {
				setTimeout(() => response.end('late'), 2000).unref();
				return;
			}
			if (request.url === '/cut') {
				response.writeHead(200, { 'content-length': '100' });
				response.write('{"partial":');
				setTimeout(() => response.destroy(), 20);
				return;
			}
			response.writeHead(201, { 'content-type': 'application/json', 'x-echo': request.headers['x-test'] ?? '' });
			response.end(JSON.stringify({ method: request.method, body: Buffer.concat(chunks).toString() }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

test('sends method, headers and body; returns status, headers and body', async () => {
	const response = await keepAliveFetch(`${base}/echo`, { method: 'POST', headers: { 'x-test': 'yes' }, body: '{"a":1}' });
	expect(response.status).toBe(201);
	expect(response.headers.get('x-echo')).toBe('yes');
	expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}' });
});

test('decodes gzip bodies', async () => {
	const response = await keepAliveFetch(`${base}/gzip`);
	expect(await response.json()).toEqual({ zipped: true });
	expect(response.headers.get('content-encoding')).toBeNull();
});

test('an aborted signal rejects with an AbortError at once', async () => {
	const controller = new AbortController();
	setTimeout(() => controller.abort(), 50);
	const started = Date.now();
	await expect(keepAliveFetch(`${base}/slow`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
	expect(Date.now() - started).toBeLessThan(1000);
});

test('a connection cut mid-body rejects instead of returning half a body', async () => {
	await expect(keepAliveFetch(`${base}/cut`)).rejects.toThrow();
});

test('proxy settings in the environment are detected (the built-in fetch is used then)', () => {
	expect(proxyConfigured({ HTTPS_PROXY: 'http://proxy:3128' })).toBe(true);
	expect(proxyConfigured({ http_proxy: 'http://proxy:3128' })).toBe(true);
	expect(proxyConfigured({})).toBe(false);
});
