/**
 * A local OpenAI-compatible HTTP server for tests and benchmarks — a test tool only; the LLM Draft
 * node never knows about it, it just gets a base URL.
 *
 * It speaks the real wire format of `GET /v1/models` and `POST /v1/chat/completions`: `n` choices,
 * `logprobs` / `top_logprobs` per token, `response_format: json_schema`, `usage`, and OpenAI's
 * error bodies. Answers are deterministic and chosen by the request: markers in the last user
 * message steer them (see {@link MARKERS}), so a test reads what it expects next to its input.
 *
 * Faults can be injected per message (markers) or for the whole server (`faults` option): 429 with
 * `Retry-After`, 500, a malformed (truncated) JSON body, and hangs (the response never comes).
 * It listens on 127.0.0.1, port 0 (a free one).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Markers a test writes into the customer message:
 * - `[intent:refund]` `[sentiment:negative]` `[risk:legal_threat]` `[reply:text]` — the draft's fields;
 * - `[confidence:0.4]` — the self-rating, and how sure the token log-probabilities look;
 * - `[judge:3]` — the 1..10 rating a judge call gives;
 * - `[vary]` — the `n` samples disagree (different intents and replies);
 * - `[delay:500]` — this message is answered 500 ms later than the others;
 * - `[answer:invalid]` — the first answer is not valid JSON (a repair request then succeeds);
 *   `[answer:invalid-always]` — every answer is invalid;
 * - `[fault:429]` `[fault:500]` `[fault:malformed]` `[fault:hang]` — that fault on the first request
 *   for this message; `[fault:500x3]` on the first three; `[fault:500xall]` on every one.
 */
export const MARKERS = /\[(intent|sentiment|risk|reply|confidence|judge|vary|answer|fault|delay):?([^\]]*)\]/g;

export type FaultKind = '429' | '500' | 'malformed' | 'hang';

export interface FaultDecision {
	kind: FaultKind;
}

export interface FakeLlmOptions {
	/** Delay before every successful answer (ms). Faults answer at once, as real providers do. */
	latencyMs?: number;
	/** Model ids listed by /v1/models. Models named `*-nologprobs` return `logprobs: null`; models named
	 * `*-reasoner` reject a request that asks for logprobs with a 400, like OpenAI's reasoning models. */
	models?: string[];
	/** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
	apiKey?: string;
	/** Server-wide fault injection, consulted for every chat request before the message markers. */
	faults?: (request: RecordedRequest) => FaultDecision | undefined;
	/** Answers this share of chat requests 429, drawn from a seeded generator (same pattern every run);
	 * plain data, unlike `faults`, so it also works for a server in another process. */
	random429?: { rate: number; seed: number };
	/** Headers sent with a 429 (default: `retry-after: 1`). */
	retryAfter?: { seconds?: number; ms?: number };
	/** Honour `n` (default true); false answers one choice whatever `n` is, as some servers do. */
	supportsN?: boolean;
}

export interface RecordedRequest {
	/** 1-based order of arrival over the server's life. */
	sequence: number;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body: ChatRequestBody;
	/** The last user message, which names the case. */
	message: string;
	/** How many chat requests with this message arrived so far, this one included. */
	attempt: number;
	outcome?: 'ok' | FaultKind | 'rejected';
}

interface ChatMessage {
	role: string;
	content: string | null | { type: string; text?: string }[];
}

export interface ChatRequestBody {
	model?: string;
	messages?: ChatMessage[];
	n?: number;
	temperature?: number;
	max_tokens?: number;
	max_completion_tokens?: number;
	logprobs?: boolean;
	top_logprobs?: number;
	response_format?: { type: string; json_schema?: { name?: string; schema?: { properties?: Record<string, unknown> } } };
}

export interface FakeLlmServer {
	/** e.g. `http://127.0.0.1:43117/v1` — what a user types as the credential's base URL. */
	baseUrl: string;
	requests: RecordedRequest[];
	/** The most chat requests that were open at the same time. */
	peakInFlight(): number;
	/** Successful completions per message (draft answers only, not repairs or judge calls). */
	completionsByMessage(): Map<string, number>;
	setLatency(ms: number): void;
	close(): Promise<void>;
}

function textOf(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

function markersOf(message: string): Map<string, string> {
	const found = new Map<string, string>();
	for (const match of message.matchAll(MARKERS)) found.set(match[1], match[2]);
	return found;
}

function hashNumber(text: string): number {
	return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** Splits text into pseudo-tokens that concatenate back to it exactly, as real token lists do. */
export function pseudoTokens(text: string): string[] {
	return text.match(/\s*[A-Za-z]+|\s*\d+|\s+|[^\sA-Za-z\d]/g) ?? [];
}

const ALTERNATIVES = [' the', ' a', ' we', ' your', ' it', '.', ','];

function tokenLogprobs(content: string, certainty: number, seed: number) {
	return pseudoTokens(content).map((token, index) => {
		// Most tokens are near-certain (JSON syntax, common words); a few carry the doubt.
		const wobble = ((seed >> index % 24) & 7) / 100;
		const p = Math.min(0.999, Math.max(0.01, /^\s*[A-Za-z\d]/.test(token) ? certainty - wobble : 0.999));
		const isNumber = /^\d+$/.test(token);
		const rest = 1 - p;
		const alternatives = isNumber
			? [String((Number(token) + 20) % 100).padStart(token.length, '0'), String((Number(token) + 50) % 100).padStart(token.length, '0')]
			: ALTERNATIVES.filter((alternative) => alternative !== token).slice(0, 2);
		const top = [
			{ token, logprob: Math.log(p), bytes: [...Buffer.from(token)] },
			{ token: alternatives[0], logprob: Math.log(rest * 0.7), bytes: [...Buffer.from(alternatives[0])] },
			{ token: alternatives[1], logprob: Math.log(rest * 0.3), bytes: [...Buffer.from(alternatives[1])] },
		];
		return { token, logprob: Math.log(p), bytes: [...Buffer.from(token)], top_logprobs: top };
	});
}

const INTENTS = ['refund', 'delivery', 'billing', 'complaint', 'account'];
const REPLIES = [
	'Thank you for reaching out. I have checked your order and a refund is on its way.',
	'Sorry for the delay. Your parcel left our warehouse yesterday and arrives within two days.',
	'I looked at your invoice and corrected the amount. You will receive a new invoice today.',
	'I am sorry about this experience. I have passed your complaint to our team lead.',
	'Your account is unlocked now. Please sign in again and change your password.',
];

/** `answerNumber` counts the answers given for one message; under `[vary]` each one differs. */
function draftAnswer(message: string, markers: Map<string, string>, answerNumber: number, wantsConfidence: boolean) {
	const seed = hashNumber(message);
	const vary = markers.has('vary');
	const pick = (seed + answerNumber) % INTENTS.length;
	const answer: Record<string, unknown> = {
		reply: vary ? REPLIES[pick] : (markers.get('reply') ?? REPLIES[seed % REPLIES.length]),
		intent: vary ? INTENTS[pick] : (markers.get('intent') ?? INTENTS[seed % INTENTS.length]),
		sentiment: markers.get('sentiment') ?? 'neutral',
		riskFlags: markers.get('risk') ? markers.get('risk')!.split(',') : [],
	};
	if (wantsConfidence) answer.confidence = Number(markers.get('confidence') ?? '0.85');
	return answer;
}

function judgeAnswer(markers: Map<string, string>) {
	const rating = Number(markers.get('judge') ?? '8');
	return { rating, verdict: rating >= 7 ? 'pass' : 'fail', issues: rating >= 7 ? [] : ['The reply does not answer the question.'] };
}

function reasonerRefusal(body: ChatRequestBody): { message: string; code: string } | undefined {
	if (body.max_tokens !== undefined) {
		return {
			message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
			code: 'unsupported_parameter',
		};
	}
	if (body.temperature !== undefined && body.temperature !== 1) {
		return {
			message: `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
			code: 'unsupported_value',
		};
	}
	if (body.logprobs !== undefined) {
		return { message: "Unsupported parameter: 'logprobs' is not supported with this model.", code: 'unsupported_parameter' };
	}
	return undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	response.writeHead(status, { 'content-type': 'application/json', ...headers });
	response.end(JSON.stringify(body));
}

function errorBody(message: string, type: string, code: string | null = null) {
	return { error: { message, type, param: null, code } };
}

/** mulberry32: a small seeded generator. */
function seeded(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// unref: a pending answer must not keep a test process alive after close()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

function markerFault(markers: Map<string, string>, attempt: number): FaultKind | undefined {
	const spec = markers.get('fault');
	if (!spec) return undefined;
	const [kind, times = '1'] = spec.split('x');
	if (times === 'all' || attempt <= Number(times)) return kind as FaultKind;
	return undefined;
}

export async function startFakeLlmServer(options: FakeLlmOptions = {}): Promise<FakeLlmServer> {
	let latencyMs = options.latencyMs ?? 0;
	const models = options.models ?? ['fake-gpt', 'fake-gpt-nologprobs', 'fake-reasoner'];
	const requests: RecordedRequest[] = [];
	const attemptsByMessage = new Map<string, number>();
	const completions = new Map<string, number>();
	const answersByMessage = new Map<string, number>();
	const sockets = new Set<Socket>();
	let inFlight = 0;
	let peak = 0;
	const retryAfter = options.retryAfter ?? { seconds: 1 };

	const random = options.random429 ? seeded(options.random429.seed) : undefined;

	async function chat(request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest): Promise<void> {
		const body = recorded.body;
		const message = recorded.message;
		const markers = markersOf(message);
		const randomFault: FaultKind | undefined = random && random() < options.random429!.rate ? '429' : undefined;
		const fault = options.faults?.(recorded)?.kind ?? randomFault ?? markerFault(markers, recorded.attempt);
		recorded.outcome = fault ?? 'ok';
		if (fault === '429') {
			const headers: Record<string, string> = {};
			if (retryAfter.seconds !== undefined) headers['retry-after'] = String(retryAfter.seconds);
			if (retryAfter.ms !== undefined) headers['retry-after-ms'] = String(retryAfter.ms);
			return sendJson(response, 429, errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'), headers);
		}
		if (fault === '500') return sendJson(response, 500, errorBody('The server had an error while processing your request.', 'server_error'));
		if (fault === 'hang') return; // never answers; the client must time out
		const model = body.model ?? models[0];
		if (!models.includes(model)) {
			recorded.outcome = 'rejected';
			return sendJson(response, 404, errorBody(`The model \`${model}\` does not exist`, 'invalid_request_error', 'model_not_found'));
		}
		// Like OpenAI's reasoning models, which refuse these one at a time with the messages below.
		const refusal = model.endsWith('-reasoner') ? reasonerRefusal(body) : undefined;
		if (refusal) {
			recorded.outcome = 'rejected';
			return sendJson(response, 400, errorBody(refusal.message, 'invalid_request_error', refusal.code));
		}
		await sleep(latencyMs + Number(markers.get('delay') ?? 0));
		if (request.socket.destroyed) return; // the client gave up (timeout or cancel) while we "thought"
		if (fault === 'malformed') {
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end('{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"mess');
			return;
		}

		const properties = body.response_format?.json_schema?.schema?.properties ?? {};
		const isJudge = 'rating' in properties;
		const isRepair = (body.messages ?? []).some((entry) => entry.role === 'assistant');
		const answerSpec = markers.get('answer');
		const invalid = !isJudge && (answerSpec === 'invalid-always' || (answerSpec === 'invalid' && !isRepair));
		const n = options.supportsN === false ? 1 : Math.max(1, body.n ?? 1);
		const certainty = Number(markers.get('confidence') ?? '0.9');
		const wantsLogprobs = body.logprobs === true && !model.endsWith('-nologprobs');
		let completionTokens = 0;
		const choices = Array.from({ length: n }, (_, index) => {
			const answerNumber = answersByMessage.get(message) ?? 0;
			if (!isJudge) answersByMessage.set(message, answerNumber + 1);
			const content = invalid
				? '{"reply": "I think your refund", "intent": '
				: JSON.stringify(isJudge ? judgeAnswer(markers) : draftAnswer(message, markers, answerNumber, 'confidence' in properties));
			const logprobs = wantsLogprobs
				? tokenLogprobs(content, certainty, hashNumber(message) + index).map((token) => ({
						...token,
						top_logprobs: token.top_logprobs.slice(0, body.top_logprobs ?? 0),
					}))
				: null;
			completionTokens += pseudoTokens(content).length;
			return {
				index,
				message: { role: 'assistant', content, refusal: null, annotations: [] },
				logprobs: logprobs ? { content: logprobs, refusal: null } : null,
				finish_reason: 'stop',
			};
		});
		const promptTokens = (body.messages ?? []).reduce((sum, entry) => sum + pseudoTokens(textOf(entry.content)).length, 0);
		if (!isJudge && !isRepair && !invalid) completions.set(message, (completions.get(message) ?? 0) + 1);
		sendJson(response, 200, {
			id: `chatcmpl-${recorded.sequence}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model,
			choices,
			usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
			system_fingerprint: 'fp_fake',
		});
	}

	const server: Server = createServer((request, response) => {
		void (async () => {
			const url = new URL(request.url ?? '/', 'http://127.0.0.1');
			if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
				return sendJson(response, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
			}
			if (request.method === 'GET' && url.pathname === '/v1/models') {
				requests.push({ sequence: requests.length + 1, path: url.pathname, headers: request.headers, body: {}, message: '', attempt: 0 });
				return sendJson(response, 200, {
					object: 'list',
					data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake-llm' })),
				});
			}
			if (request.method === 'POST' && url.pathname === '/v1/chat/completions') {
				inFlight++;
				peak = Math.max(peak, inFlight);
				response.once('close', () => inFlight--);
				const raw = await readBody(request);
				let body: ChatRequestBody;
				try {
					body = JSON.parse(raw) as ChatRequestBody;
				} catch {
					return sendJson(response, 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'));
				}
				const users = (body.messages ?? []).filter((entry) => entry.role === 'user');
				// The customer message is the first user turn: a repair request adds a later one.
				const message = users.length > 0 ? textOf(users[0].content) : '';
				const attempt = (attemptsByMessage.get(message) ?? 0) + 1;
				attemptsByMessage.set(message, attempt);
				const recorded: RecordedRequest = { sequence: requests.length + 1, path: url.pathname, headers: request.headers, body, message, attempt };
				requests.push(recorded);
				return await chat(request, response, recorded);
			}
			sendJson(response, 404, errorBody(`Unknown path ${url.pathname}`, 'invalid_request_error'));
		})().catch((error: unknown) => {
			if (!response.headersSent) sendJson(response, 500, errorBody(String(error), 'server_error'));
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };

	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		completionsByMessage: () => new Map(completions),
		peakInFlight: () => peak,
		setLatency(ms) {
			latencyMs = ms;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
