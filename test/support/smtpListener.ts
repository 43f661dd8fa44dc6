/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps every message it
 * receives, for tests that check what a node e-mailed. No authentication, no TLS: it only ever
 * listens on 127.0.0.1.
 */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	from: string;
	to: string[];
	/** The raw RFC 5322 message (headers and MIME body). */
	raw: string;
}

export class SmtpListener {
	readonly messages: ReceivedMail[] = [];
	private waiters: { count: number; resolve: () => void }[] = [];

	private constructor(
		private readonly server: SMTPServer,
		readonly port: number,
	) {}

	static async start(): Promise<SmtpListener> {
		const box: { listener?: SmtpListener } = {};
		const server = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS', 'AUTH'],
			logger: false,
			onData(stream, session, callback) {
				const chunks: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => chunks.push(chunk));
				stream.on('end', () => {
					box.listener!.receive({
						from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
						raw: Buffer.concat(chunks).toString('utf8'),
					});
					callback();
				});
			},
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
		box.listener = new SmtpListener(server, address.port);
		return box.listener;
	}

	private receive(mail: ReceivedMail): void {
		this.messages.push(mail);
		this.waiters = this.waiters.filter((waiter) => {
			if (this.messages.length < waiter.count) return true;
			waiter.resolve();
			return false;
		});
	}

	/** Resolves once `count` messages have arrived in total (rejects after `timeoutMs`). */
	async waitForMessages(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
		if (this.messages.length < count) {
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`Only ${this.messages.length} of ${count} mails arrived`)), timeoutMs);
				this.waiters.push({
					count,
					resolve: () => {
						clearTimeout(timer);
						resolve();
					},
				});
			});
		}
		return this.messages.slice(0, count);
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

/** Decodes quoted-printable soft line breaks and escapes, enough to read links out of a body. */
export function decodeQuotedPrintable(text: string): string {
	return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The review links (`/webhook-waiting/...`, or `/form-waiting/...` as sent before) in a raw mail, decoded. */
export function linksInMail(raw: string): string[] {
	const decoded = decodeQuotedPrintable(raw).replace(/&amp;/g, '&');
	return [...new Set(decoded.match(/https?:\/\/[^\s"<>]+\/(?:webhook|form)-waiting\/[^\s"<>]+/g) ?? [])];
}
