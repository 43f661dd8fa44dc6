/**
 * The demo model of `npm start`: an OpenAI-compatible server on loopback that answers from a short
 * list of canned replies, so that a newcomer without an API key can run the whole loop — a ticket
 * sent on its own, one put in front of a person, one blocked — in the first minutes.
 *
 * It is not a language model and says so: every reply it drafts ends with DEMO_MARK, every answer
 * names the model `hitl-demo-canned` (so the HITL store records which drafts were canned), and it
 * prints one console line per answer. It speaks just enough of the wire format for LLM Draft and
 * the LLM API credential's test: `GET /v1/models`, `POST /v1/chat/completions` with structured
 * output (`response_format: json_schema`), `n` choices, no log-probabilities (`logprobs: null`,
 * which LLM Draft handles as a provider without them).
 *
 * Run alone: `node scripts/demoModel.mjs [port]` (prints its base URL).
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

export const DEMO_MODEL_ID = 'hitl-demo-canned';
export const DEMO_MARK = '[Demo model: a canned answer, not written by an AI]';

/**
 * The canned answers, first match wins, chosen by words in the customer's message. The
 * confidences are picked against the support template's gate (0.85, refunds 0.95) so that each
 * answer shows one route: a delivery question goes out alone, a refund goes to a person, an
 * investment question gets a reply that promises returns — which the Compliance Check's
 * financial-promises pack blocks — and anything else is too unsure to send.
 *
 * The collections template's notices (its message says who owes what, since when, on which
 * channel, and whether this is the first contact) get a notice with the disclosure the debt
 * collection pack requires for that case — the mini-Miranda on a first contact, the collector
 * notice later, and the recording notice first on a call — so each passes the template's checks
 * and waits for a reviewer, as every notice does there.
 */
export const CANNED_ANSWERS = [
	{
		when: /\bowes\b[\s\S]*\bChannel: (?:voice|phone|call)\b/i,
		intent: 'collections',
		confidence: 0.9,
		reply:
			'This call may be recorded for quality and training purposes. Hello, this is the collections team calling about the past-due balance on your account. ' +
			'This is an attempt to collect a debt and any information obtained will be used for that purpose. This communication is from a debt collector. ' +
			'Can we agree today on a payment or a payment plan that works for you? If you believe you do not owe this amount, you can dispute it within 30 days.',
	},
	{
		when: /\bowes\b[\s\S]*\bfirst contact with the debtor\b/i,
		intent: 'collections',
		confidence: 0.9,
		reply:
			'Dear customer,\n\nOur records show a balance on your account that is past due. Please pay it through the payment link in your account, ' +
			'or reply to this e-mail to agree a payment plan that works for you. If you believe you do not owe this amount, you can dispute it within 30 days ' +
			'of this notice and we will look into it.\n\nThis is an attempt to collect a debt and any information obtained will be used for that purpose.\n\n' +
			'Kind regards,\nThe collections team',
	},
	{
		when: /\bowes\b[\s\S]*\bdue since\b/i,
		intent: 'collections',
		confidence: 0.9,
		reply:
			'Dear customer,\n\nWe wrote to you earlier about the past-due balance on your account, and it is still open. Please pay it through the payment ' +
			'link in your account, or reply to this e-mail to agree a payment plan. If you have already paid, please disregard this message.\n\n' +
			'This communication is from a debt collector.\n\nKind regards,\nThe collections team',
	},
	{
		when: /\b(invest\w*|savings)\b/i,
		intent: 'investment',
		confidence: 0.92,
		reply: 'Good news: our savings plan comes with guaranteed returns of 8% a year, so you cannot lose.',
	},
	{
		when: /\b(refunds?|money back|reimburse\w*|chargeback)\b/i,
		intent: 'refund',
		confidence: 0.9,
		reply: 'I am sorry about the trouble with your order. I have asked for a refund, and you will get a confirmation once it is approved.',
	},
	{
		when: /\b(parcels?|packages?|deliver\w*|shipping|shipped|tracking|where is my order)\b/i,
		intent: 'delivery',
		confidence: 0.95,
		reply: 'Your parcel left our warehouse yesterday and should arrive within two working days. The tracking link is in your order confirmation.',
	},
	{
		when: /[\s\S]*/,
		intent: 'other',
		confidence: 0.55,
		reply: 'Thank you for your message. A colleague will look into it and get back to you shortly.',
	},
];

function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part?.text ?? '').join('');
	return '';
}

/** The answer to one chat request, as the JSON text of the assistant message. */
export function cannedContent(body) {
	const properties = body.response_format?.json_schema?.schema?.properties ?? {};
	// LLM Draft's judge call asks for a rating; the demo has no opinion, so it rates every draft 8/10.
	if ('rating' in properties) return { content: JSON.stringify({ rating: 8, verdict: 'pass', issues: [] }), answer: undefined };
	const users = (body.messages ?? []).filter((message) => message.role === 'user');
	// The customer's message is the first user turn; a repair request adds a later one.
	const message = users.length > 0 ? textOf(users[0].content) : '';
	const answer = CANNED_ANSWERS.find((candidate) => candidate.when.test(message));
	const draft = { reply: `${answer.reply}\n\n${DEMO_MARK}`, intent: answer.intent, sentiment: 'neutral', riskFlags: [] };
	if ('confidence' in properties) draft.confidence = answer.confidence;
	return { content: JSON.stringify(draft), answer, message };
}

function sendJson(response, status, body) {
	response.writeHead(status, { 'content-type': 'application/json' });
	response.end(JSON.stringify(body));
}

function readBody(request) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

const shorten = (text, length = 60) => {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > length ? `${line.slice(0, length - 1)}…` : line;
};

/**
 * Starts the demo model on 127.0.0.1 (port 0: a free one). `log` receives one line per answer.
 * Resolves with its base URL (what the LLM API credential takes) and a close function.
 */
export async function startDemoModel({ port = 0, log = (line) => console.log(line) } = {}) {
	const sockets = new Set();
	let sequence = 0;
	const server = createServer((request, response) => {
		void (async () => {
			const url = new URL(request.url ?? '/', 'http://127.0.0.1');
			if (request.method === 'GET' && url.pathname === '/v1/models') {
				return sendJson(response, 200, { object: 'list', data: [{ id: DEMO_MODEL_ID, object: 'model', created: 1_767_225_600, owned_by: 'n8n-nodes-hitl demo' }] });
			}
			if (request.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
				return sendJson(response, 404, { error: { message: `The demo model serves GET /v1/models and POST /v1/chat/completions, not ${request.method} ${url.pathname}`, type: 'invalid_request_error', param: null, code: null } });
			}
			let body;
			try {
				body = JSON.parse(await readBody(request));
			} catch {
				return sendJson(response, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
			}
			const { content, answer, message } = cannedContent(body);
			if (answer) log(`[demo model] canned "${answer.intent}" answer, confidence ${answer.confidence}, to: ${shorten(message)}`);
			const n = Math.max(1, Number(body.n ?? 1));
			const words = (text) => text.split(/\s+/).filter(Boolean).length;
			const promptTokens = (body.messages ?? []).reduce((sum, entry) => sum + words(textOf(entry.content)), 0);
			sendJson(response, 200, {
				id: `chatcmpl-demo-${++sequence}`,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model: DEMO_MODEL_ID,
				choices: Array.from({ length: n }, (_, index) => ({
					index,
					message: { role: 'assistant', content, refusal: null },
					logprobs: null,
					finish_reason: 'stop',
				})),
				usage: { prompt_tokens: promptTokens, completion_tokens: words(content) * n, total_tokens: promptTokens + words(content) * n },
			});
		})().catch((error) => {
			if (!response.headersSent) sendJson(response, 500, { error: { message: String(error), type: 'server_error', param: null, code: null } });
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		baseUrl: `http://127.0.0.1:${server.address().port}/v1`,
		close: () =>
			new Promise((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const model = await startDemoModel({ port: Number(process.argv[2] ?? 0) });
	console.log(`demo model (canned answers, not an AI) at ${model.baseUrl}`);
	for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void model.close().then(() => process.exit(0)));
}
