// Child-process entry of the local OpenAI-compatible server (see fakeLlmServerProcess.ts).
// Node 24 runs the TypeScript server module directly (type stripping); it imports only node: builtins.
import { startFakeLlmServer } from './fakeLlmServer.ts';

const server = await startFakeLlmServer(JSON.parse(process.argv[2] ?? '{}'));
process.on('message', async (command) => {
	if (command.type === 'stats') {
		const outcomes = {};
		for (const request of server.requests) {
			if (request.path.endsWith('/chat/completions')) outcomes[request.outcome ?? 'open'] = (outcomes[request.outcome ?? 'open'] ?? 0) + 1;
		}
		process.send({
			type: 'stats',
			id: command.id,
			completions: [...server.completionsByMessage().entries()],
			chatRequests: server.requests.filter((request) => request.path.endsWith('/chat/completions')).length,
			outcomes,
			peakInFlight: server.peakInFlight(),
		});
	} else if (command.type === 'latency') {
		server.setLatency(command.ms);
		process.send({ type: 'latency', id: command.id });
	} else if (command.type === 'close') {
		await server.close();
		process.exit(0);
	}
});
process.send({ type: 'ready', baseUrl: server.baseUrl });
