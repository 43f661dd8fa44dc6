/**
 * A small `fetch` for the OpenAI SDK over Node's `http`/`https` with keep-alive agents.
 *
 * Why: with 8 requests in flight, the client's CPU time per request decides how close a batch gets
 * to `items × latency / concurrency`, and Node's built-in fetch (undici, web streams) costs about
 * twice as much per request as plain `http.request` (bench/llm-draft measures both). The SDK takes
 * a `fetch` option for exactly this; everything above the wire (request building, errors, types)
 * is still the SDK's.
 *
 * It handles what a non-streaming JSON API needs: method, headers, string/byte bodies, abort
 * signals, gzip/deflate/br responses. When an HTTP(S) proxy is configured in the environment the
 * node uses the SDK's default fetch instead (see {@link proxyConfigured}).
 */
import http from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

/** Proxies are honoured by the default fetch (NODE_USE_ENV_PROXY), not by these agents. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
	return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((name) => Boolean(env[name]));
}

function decoded(response: http.IncomingMessage): Readable {
	switch ((response.headers['content-encoding'] ?? '').toLowerCase()) {
		case 'gzip':
			return response.pipe(createGunzip());
		case 'deflate':
			return response.pipe(createInflate());
		case 'br':
			return response.pipe(createBrotliDecompress());
		default:
			return response;
	}
}

function abortError(signal: AbortSignal): Error {
	const error = new Error(signal.reason instanceof Error ? signal.reason.message : 'The operation was aborted');
	error.name = 'AbortError';
	return error;
}

export async function keepAliveFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
	const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
	const headers: Record<string, string> = {};
	new Headers(init.headers).forEach((value, name) => (headers[name] = value));
	const body = init.body;
	if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
		throw new TypeError('keepAliveFetch sends string or byte bodies only');
	}
	const signal = init.signal ?? undefined;
	if (signal?.aborted) throw abortError(signal);
	const transport = url.protocol === 'https:' ? https : http;

	return await new Promise<Response>((resolve, reject) => {
		const request = transport.request(
			url,
			{ method: init.method ?? 'GET', headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent },
			(response) => {
				const chunks: Buffer[] = [];
				const stream = decoded(response);
				stream.on('data', (chunk: Buffer) => chunks.push(chunk));
				stream.on('error', fail);
				stream.on('end', () => {
					signal?.removeEventListener('abort', onAbort);
					const responseHeaders = new Headers();
					for (const [name, value] of Object.entries(response.headers)) {
						if (value === undefined || name === 'content-encoding' || name === 'content-length') continue;
						responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
					}
					const status = response.statusCode ?? 500;
					// Response forbids a body on these statuses
					const noBody = status === 204 || status === 205 || status === 304;
					resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage, headers: responseHeaders }));
				});
				response.on('close', () => {
					if (!response.complete) fail(new Error('The connection closed before the response was complete'));
				});
			},
		);
		function fail(error: Error): void {
			signal?.removeEventListener('abort', onAbort);
			request.destroy();
			reject(error);
		}
		function onAbort(): void {
			fail(abortError(signal!));
		}
		signal?.addEventListener('abort', onAbort, { once: true });
		request.on('error', fail);
		request.end(body ?? undefined);
	});
}
