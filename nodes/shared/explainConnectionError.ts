/**
 * Turns a failed connection (a socket or TLS error from Node, whatever library wrapped it) into a
 * sentence that says where the connection went, what happened, and what to change. Every
 * credential test uses it for the failures that have nothing to do with its protocol; the test
 * itself explains the protocol's own answers (an HTTP 404, an SMTP 535, a PostgreSQL 28P01).
 *
 * Node reports these failures by `code` (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED…), but the
 * code may sit on the error, on its `cause` (fetch, the OpenAI SDK), or on the members of an
 * AggregateError (a host name with both an IPv6 and an IPv4 address): {@link connectionErrorCode}
 * looks in all three.
 */

export interface ConnectionTarget {
	/** What the user calls the server, e.g. "the LLM API", "the mail server". */
	server: string;
	host: string;
	port: number;
	/** Whether the client spoke TLS from the first byte (https://, SMTP on 465, PostgreSQL SSL). */
	tls: boolean;
	/** The credential's field(s) that set host and port, e.g. "Base URL" or "Host and Port". */
	field: string;
	/** Where to switch TLS on or off, e.g. "write http:// instead of https:// in Base URL". */
	plainInstead: string;
	tlsInstead: string;
}

const CERTIFICATE_CODES = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'CERT_UNTRUSTED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface WithCode {
	code?: unknown;
	cause?: unknown;
	errors?: unknown;
	message?: unknown;
}

/**
 * OpenSSL's messages for the certificate failures, for libraries that keep the message and replace
 * the code with their own (nodemailer's ESOCKET).
 */
const CERTIFICATE_MESSAGES: [RegExp, string][] = [
	[/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
	[/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
	[/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
	[/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
	[/certificate has expired/i, 'CERT_HAS_EXPIRED'],
	[/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
	[/does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
];

/**
 * The Node error code of a connection failure: from the error's own `code`, its causes or an
 * AggregateError's members, else from its message ("connect ECONNREFUSED 127.0.0.1:25", "self-signed
 * certificate") for libraries that replace the code with their own.
 */
export function connectionErrorCode(error: unknown): string | undefined {
	const code = codeOnError(error);
	if (code) return code;
	const text = connectionErrorText(error);
	const certificate = CERTIFICATE_MESSAGES.find(([pattern]) => pattern.test(text));
	if (certificate) return certificate[1];
	return /\b(E(?:CONNREFUSED|CONNRESET|NOTFOUND|AI_AGAIN|TIMEDOUT|HOSTUNREACH|NETUNREACH|PIPE|PROTO))\b/.exec(text)?.[1];
}

function codeOnError(error: unknown, depth = 0): string | undefined {
	if (error === null || typeof error !== 'object' || depth > 5) return undefined;
	const { code, cause, errors } = error as WithCode;
	if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && code !== 'ESOCKET' && code !== 'ECONNECTION') return code;
	if (Array.isArray(errors)) {
		for (const member of errors) {
			const found = codeOnError(member, depth + 1);
			if (found) return found;
		}
	}
	return codeOnError(cause, depth + 1);
}

/** Every message on the error and its causes, for the failures Node reports without a code. */
export function connectionErrorText(error: unknown, depth = 0): string {
	if (error === null || typeof error !== 'object' || depth > 5) return typeof error === 'string' ? error : '';
	const { message, cause, errors } = error as WithCode;
	const members = Array.isArray(errors) ? errors.map((member) => connectionErrorText(member, depth + 1)) : [];
	return [typeof message === 'string' ? message : '', ...members, connectionErrorText(cause, depth + 1)].filter(Boolean).join(' / ');
}

/**
 * A sentence for a socket or TLS failure, or undefined when the error is not one (the caller then
 * explains it in its protocol's terms).
 */
export function explainConnectionError(error: unknown, target: ConnectionTarget): string | undefined {
	const code = connectionErrorCode(error);
	const text = connectionErrorText(error);
	const at = `${target.host}:${target.port}`;
	const check = `Check ${target.field}`;
	if (code === 'ECONNREFUSED') {
		return `Nothing accepts connections at ${at} (connection refused): ${target.server} is not running there, or listens on another host or port. ${check}.`;
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
		return `The host name "${target.host}" could not be resolved (${code}). ${check}: is the host spelt right, and is it reachable from the n8n machine (in Docker, "localhost" is the container itself)?`;
	}
	if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT') {
		return `No answer from ${at} (${code}): a firewall drops the connection, or the address is wrong. ${check}.`;
	}
	if (code !== undefined && CERTIFICATE_CODES.has(code)) {
		return `The TLS certificate of ${at} is not trusted (${code}). Use a certificate from a trusted authority, or give n8n your authority's certificate (NODE_EXTRA_CA_CERTS); if the server speaks no TLS, ${target.plainInstead}.`;
	}
	if (target.tls && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' || /wrong version number|packet length too long|unknown protocol/i.test(text))) {
		return `${at} does not speak TLS (${code ?? 'TLS handshake failed'}): ${target.plainInstead}, or use the port where ${target.server} expects TLS.`;
	}
	if (!target.tls && (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up|closed before|other side closed/i.test(text))) {
		return `${at} closed the connection without answering (${code ?? 'connection closed'}): if ${target.server} expects TLS there, ${target.tlsInstead}.`;
	}
	if (code === 'ECONNRESET' || code === 'EPIPE') {
		return `${at} closed the connection (${code}). ${check}, and whether a proxy or firewall sits in between.`;
	}
	return undefined;
}
