/**
 * Real listeners on 127.0.0.1 for credential tests: a port where nothing listens, an HTTP server
 * that answers every request the same way, and a TLS server with a self-signed certificate (made
 * with the machine's openssl) that closes whatever plain text it gets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface Listener {
	port: number;
	close(): Promise<void>;
}

async function listen(server: Server | HttpServer): Promise<Listener> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		port,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** A loopback port that was free a moment ago and has nothing listening on it. */
export async function closedPort(): Promise<number> {
	const listener = await listen(createNetServer());
	await listener.close();
	return listener.port;
}

/** An HTTP server answering every request with this status, body and content type. */
export async function answeringHttp(status: number, body: string, contentType = 'application/json'): Promise<Listener> {
	return await listen(
		createHttpServer((_request, response) => {
			response.writeHead(status, { 'content-type': contentType });
			response.end(body);
		}),
	);
}

/** A self-signed certificate for 127.0.0.1 / localhost, valid for a day. */
export function selfSignedCertificate(): { key: string; cert: string } {
	const dir = mkdtempSync(path.join(tmpdir(), 'hitl-tls-'));
	try {
		const key = path.join(dir, 'key.pem');
		const cert = path.join(dir, 'cert.pem');
		execFileSync('openssl', [
			'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
			'-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
		], { stdio: 'ignore' });
		return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** A TLS server with a self-signed certificate that answers HTTP 200 "{}" once the handshake is done. */
export async function selfSignedTls(): Promise<Listener> {
	const server = createTlsServer(selfSignedCertificate(), (socket) => {
		socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}'));
	});
	server.on('tlsClientError', () => undefined);
	return await listen(server);
}
