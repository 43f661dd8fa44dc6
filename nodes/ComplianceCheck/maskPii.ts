/**
 * Masked previews and redaction placeholders for PII findings. A preview lets a reviewer see
 * *which* value was found (the last four digits of a card, the domain of an e-mail) without the
 * value itself travelling on: full card numbers must never appear in an item, a log or an error.
 */
import { maskKeepingLast } from '../shared/paymentCardData';

import type { PiiType } from './piiTypes';

const MASK = '*';

function maskEmail(value: string): string {
	const at = value.lastIndexOf('@');
	if (at <= 0) return maskKeepingLast(value, 0);
	return `${value[0]}${MASK.repeat(3)}${value.slice(at)}`;
}

function maskIban(value: string): string {
	// The country code says which bank system; the last four let a customer recognise their account.
	return value.slice(0, 2) + maskKeepingLast(value.slice(2), 4);
}

function maskIp(value: string): string {
	const separator = value.includes(':') ? ':' : '.';
	const [first, ...rest] = value.split(separator);
	return [first, ...rest.map((part) => (part.length === 0 ? '' : MASK.repeat(part.length)))].join(separator);
}

/** The preview shown for a finding of `type` whose matched text is `value`. */
export function maskedPreview(type: PiiType, value: string): string {
	switch (type) {
		case 'email':
			return maskEmail(value);
		case 'iban':
			return maskIban(value);
		case 'ipv4':
		case 'ipv6':
			return maskIp(value);
		case 'card':
		case 'ssn':
		case 'routing':
		case 'phone':
			return maskKeepingLast(value, 4);
		case 'dob':
		case 'cvv':
		case 'cardExpiry':
			return maskKeepingLast(value, 0);
	}
}

/** The placeholder a redaction writes in place of a finding, e.g. `[CARD]`. */
export function typedPlaceholder(type: string): string {
	return `[${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}]`;
}

/** 12 or more digits, possibly grouped with spaces or dashes: long enough to be a card number. */
const LONG_DIGIT_RUN = /\d(?:[ -]?\d){11,}/g;

/**
 * `text` with every long digit run masked but for its last four digits. Used wherever we quote
 * the user's text back (a prohibited-phrase hit from a user pattern may cover a card number).
 */
export function maskLongDigitRuns(text: string): string {
	return text.replace(LONG_DIGIT_RUN, (run) => maskKeepingLast(run, 4));
}
