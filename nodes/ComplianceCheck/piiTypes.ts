/** The PII entity types the scanner recognises, and the shape of one finding. */

export const PII_TYPES = [
	'email',
	'phone',
	'card',
	'iban',
	'ssn',
	'routing',
	'ipv4',
	'ipv6',
	'dob',
	'cvv',
	'cardExpiry',
] as const;

export type PiiType = (typeof PII_TYPES)[number];

/** Types confirmed by a checksum or a strict validity rule (as opposed to context words alone). */
export const VALIDATED_PII_TYPES: readonly PiiType[] = ['email', 'phone', 'card', 'iban', 'ssn', 'routing', 'ipv4', 'ipv6'];

export const PII_LABELS: Readonly<Record<PiiType, string>> = {
	email: 'E-mail address',
	phone: 'Phone number',
	card: 'Payment card number',
	iban: 'IBAN',
	ssn: 'US Social Security number',
	routing: 'US bank routing number',
	ipv4: 'IPv4 address',
	ipv6: 'IPv6 address',
	dob: 'Date of birth',
	cvv: 'Card security code (CVV)',
	cardExpiry: 'Card expiry date',
};

/**
 * One PII finding. `span` is `[start, end)` in UTF-16 code units of the checked string — the unit
 * JavaScript's `String.prototype.slice` uses — so `text.slice(...span)` is the matched value even
 * when the text holds emoji (two units each), right-to-left script or combining marks.
 */
export interface PiiFinding {
	type: PiiType;
	span: [number, number];
	/** 0..1: how sure the recognizer is (checksum-validated types score highest). */
	score: number;
	/** The value with all but a recognisable tail masked; never the full value. */
	preview: string;
}
