/**
 * Finds personal data in a text: a fast candidate pass per entity type (module-level regexes,
 * compiled once, each bounded so no input can make it backtrack far), then a validator per
 * candidate (Luhn, mod-97, SSA rules, the ABA checksum, libphonenumber's metadata). Types that
 * have no checksum — date of birth, CVV, card expiry — are reported only after a context word
 * ("date of birth", "CVV", "expires"), because on their own they are just dates and small numbers.
 *
 * Spans are `[start, end)` offsets in UTF-16 code units of the string passed in (see PiiFinding).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

import { maskedPreview } from './maskPii';
import { normaliseSpokenNumbers } from './normaliseSpokenNumbers';
import { PII_TYPES, type PiiFinding, type PiiType } from './piiTypes';
import { findCardNumbers, SECURITY_CODE } from '../shared/paymentCardData';
import {
	isPlausibleBirthDate,
	isPlausibleEmail,
	isValidAbaRouting,
	isValidIban,
	isValidIpv4,
	isValidIpv6,
	isValidSsn,
} from './validatePiiCandidate';

export interface PiiScanOptions {
	/** Types to look for; all by default. */
	types?: readonly PiiType[];
	/** Country for phone numbers written without `+` and a country code. Default `US`. */
	defaultCountry?: CountryCode;
	/** Rewrite spoken digits ("four one one one …") before scanning; for call transcripts. */
	spokenNumbers?: boolean;
	/** The year birth dates must not exceed; defaults to the current year (tests pin it). */
	currentYear?: number;
}

type Emit = (type: PiiType, start: number, end: number, score: number) => void;
type Recognizer = (text: string, emit: Emit, options: Required<Omit<PiiScanOptions, 'types' | 'spokenNumbers'>>) => void;

/**
 * A number right after one of these labels is an identifier of ours, not the customer's personal
 * data: "Order #4111 1111 1111 1111", "invoice no. 219-09-9999", "tracking 4155552671".
 */
const ID_LABEL_BEFORE =
	/\b(?:order|invoice|inv|tracking|track|ref|reference|ticket|confirmation|conf|case|po|sku|serial|item|model|part|receipt|transaction|txn|shipment|parcel|booking|rma)\.?\s*(?:#|no\.?|nr\.?|num(?:ber)?|id)?\s*[:#]?\s*$/i;
const LABEL_PUNCTUATION = /[\s:#.]/;
const ALPHANUMERIC = /[A-Za-z0-9]/;
const ISO_DATE = /^(?:19|20)\d{2}[-.]\d{2}[-.]\d{2}$/;
const LABEL_WINDOW = 28;

function isLabelledIdentifier(text: string, start: number): boolean {
	// Every label ends in a letter, optionally followed by spaces and ":", "#" or "."; anything
	// else right before the number rules a label out without running the regex.
	let at = start - 1;
	while (at >= 0 && at > start - LABEL_WINDOW && LABEL_PUNCTUATION.test(text[at])) at--;
	const code = at >= 0 ? text.charCodeAt(at) | 0x20 : 0;
	if (code < 97 || code > 122) return false;
	return ID_LABEL_BEFORE.test(text.slice(Math.max(0, start - LABEL_WINDOW), start));
}

function countDigits(value: string): number {
	let count = 0;
	for (let index = 0; index < value.length; index++) {
		const code = value.charCodeAt(index);
		if (code >= 48 && code <= 57) count++;
	}
	return count;
}

// ---------------------------------------------------------------------------------------------
// Cards: the shared recognizer (issuer prefix, length, Luhn), minus our own labelled identifiers.

const recognizeCards: Recognizer = (text, emit) => {
	for (const [start, end] of findCardNumbers(text, (at) => isLabelledIdentifier(text, at))) emit('card', start, end, 0.95);
};

// ---------------------------------------------------------------------------------------------
// IBAN: country code, check digits, then the country's length of alphanumerics, optionally in
// groups of four. The candidate may run into following words, so we cut it at the country length.

const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4}){3,9}/g;

const recognizeIbans: Recognizer = (text, emit) => {
	IBAN_CANDIDATE.lastIndex = 0;
	for (let match = IBAN_CANDIDATE.exec(text); match !== null; match = IBAN_CANDIDATE.exec(text)) {
		const candidate = match[0];
		let compact = '';
		let end = 0;
		for (let index = 0; index < candidate.length; index++) {
			const char = candidate[index];
			if (char === ' ') continue;
			compact += char.toUpperCase();
			end = index + 1;
			if (compact.length === 34) break;
			if (compact.length >= 15 && isValidIban(compact) && !ALPHANUMERIC.test(candidate[index + 1] ?? '')) {
				emit('iban', match.index, match.index + end, 0.98);
				IBAN_CANDIDATE.lastIndex = match.index + end;
				break;
			}
		}
	}
};

// ---------------------------------------------------------------------------------------------
// SSN with separators (3-2-4 with dashes or spaces is specific enough to need no context word).

const SEPARATED_SSN = /(?<![\w.\-/])(\d{3})([ -])(\d{2})\2(\d{4})(?![\w]|[-/.]\d)/g;

const recognizeSeparatedSsns: Recognizer = (text, emit) => {
	SEPARATED_SSN.lastIndex = 0;
	for (let match = SEPARATED_SSN.exec(text); match !== null; match = SEPARATED_SSN.exec(text)) {
		const digits = match[1] + match[3] + match[4];
		if (!isValidSsn(digits) || isLabelledIdentifier(text, match.index)) continue;
		emit('ssn', match.index, match.index + match[0].length, match[2] === '-' ? 0.9 : 0.8);
	}
};

// ---------------------------------------------------------------------------------------------
// Nine bare digits are an SSN, a routing number, or (far more often) an order or invoice number.
// We decide by the nearest context word before it, then validate by that type's rules.

const NINE_DIGITS = /(?<![\w.\-/])\d{9}(?![\w]|[-/.]\d)/g;
const NINE_DIGIT_CONTEXT = /\b(?:(ssn|social security(?: number| no\.?)?|social|tin|taxpayer id)|(routing|aba|rtn|transit|bank number|wire))\b/gi;
const CONTEXT_WINDOW = 48;

const recognizeNineDigitNumbers: Recognizer = (text, emit) => {
	NINE_DIGITS.lastIndex = 0;
	for (let match = NINE_DIGITS.exec(text); match !== null; match = NINE_DIGITS.exec(text)) {
		const window = text.slice(Math.max(0, match.index - CONTEXT_WINDOW), match.index);
		let kind: PiiType | undefined;
		NINE_DIGIT_CONTEXT.lastIndex = 0;
		for (let word = NINE_DIGIT_CONTEXT.exec(window); word !== null; word = NINE_DIGIT_CONTEXT.exec(window)) {
			kind = word[1] !== undefined ? 'ssn' : 'routing'; // the last (nearest) word wins
		}
		if (kind === undefined || isLabelledIdentifier(text, match.index)) continue;
		const digits = match[0];
		if (kind === 'ssn' ? isValidSsn(digits) : isValidAbaRouting(digits)) {
			emit(kind, match.index, match.index + 9, 0.85);
		}
	}
};

// ---------------------------------------------------------------------------------------------
// E-mail. Anchored on each "@" (rare in text) and expanded by hand, each side length-bounded, so
// a 10 MB run of letters costs one indexOf, not a regex attempt at every position.

const isLocalChar = (code: number) =>
	(code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) ||
	code === 46 || code === 95 || code === 37 || code === 43 || code === 45; // . _ % + -
const isDomainChar = (code: number) =>
	(code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 45;

const recognizeEmails: Recognizer = (text, emit) => {
	for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
		let start = at;
		while (start > 0 && at - start < 65 && isLocalChar(text.charCodeAt(start - 1))) start--;
		if (start > 0 && isLocalChar(text.charCodeAt(start - 1))) continue; // local part over 64: not an address
		let end = at + 1;
		while (end < text.length && end - at <= 253 && isDomainChar(text.charCodeAt(end))) end++;
		// A sentence's full stop or a dash after the address is not part of it.
		while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
		if (start === at || end === at + 1) continue;
		if (isPlausibleEmail(text.slice(start, at), text.slice(at + 1, end))) emit('email', start, end, 0.95);
	}
};

// ---------------------------------------------------------------------------------------------
// Phone numbers: an optional +country code, an optional (area code), then digit groups with
// single separators; libphonenumber's metadata decides whether the digits form a real number.

const PHONE_CANDIDATE =
	/(?<![\w+.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,12}(?:[ .-]\d{1,8}){0,5}(?![\w]|[.:-]\d|\/)/g;

const recognizePhones: Recognizer = (text, emit, options) => {
	PHONE_CANDIDATE.lastIndex = 0;
	for (let match = PHONE_CANDIDATE.exec(text); match !== null; match = PHONE_CANDIDATE.exec(text)) {
		const candidate = match[0];
		const digitCount = countDigits(candidate);
		if (digitCount < 7 || digitCount > 15) continue;
		// Dates, times and versions use the same separators; a phone number never has a 4-digit
		// group followed by 2-digit groups only ("2024-03-15"), which libphonenumber may accept.
		if (ISO_DATE.test(candidate)) continue;
		if (isLabelledIdentifier(text, match.index)) continue;
		if (options.defaultCountry === 'US' && !candidate.startsWith('+') && !looksLikeNanpNumber(candidate, digitCount)) continue;
		const parsed = parsePhoneNumberFromString(candidate, options.defaultCountry);
		if (parsed?.isValid()) {
			emit('phone', match.index, match.index + candidate.length, candidate.startsWith('+') ? 0.9 : 0.8);
		}
	}
};

/**
 * A cheap shape test before libphonenumber (which costs ~20 µs a call): a US/Canada number written
 * without `+` has 10 digits (11 with a leading 1) grouped 3-3-4, so SSNs (3-2-4), IPs and ZIP+4
 * codes are dropped without parsing. libphonenumber still decides validity for what remains.
 */
const NANP_SHAPE = /^(?:1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$/;

function looksLikeNanpNumber(candidate: string, digitCount: number): boolean {
	return (digitCount === 10 || digitCount === 11) && NANP_SHAPE.test(candidate);
}

// ---------------------------------------------------------------------------------------------
// IP addresses.

const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g;

/** "Section 3.2.1.4", "version 10.2.0.1": dotted numbers that are not addresses. */
const NUMBERING_LABEL_BEFORE = /\b(?:section|sect?\.|version|ver\.?|v|build|release|chapter|clause|article|rule|step|item)\s*$/i;

const recognizeIpv4: Recognizer = (text, emit) => {
	IPV4.lastIndex = 0;
	for (let match = IPV4.exec(text); match !== null; match = IPV4.exec(text)) {
		const before = text.slice(Math.max(0, match.index - 12), match.index);
		if (isValidIpv4(match[0]) && !NUMBERING_LABEL_BEFORE.test(before)) emit('ipv4', match.index, match.index + match[0].length, 0.9);
	}
};

/** Every IPv6 address has two colons with at most four hex digits between; most texts have none. */
const IPV6_HINT = /:[0-9A-Fa-f]{0,4}:/;

const recognizeIpv6: Recognizer = (text, emit) => {
	if (!IPV6_HINT.test(text)) return;
	IPV6.lastIndex = 0;
	for (let match = IPV6.exec(text); match !== null; match = IPV6.exec(text)) {
		if (isValidIpv6(match[0])) emit('ipv6', match.index, match.index + match[0].length, 0.9);
	}
};

// ---------------------------------------------------------------------------------------------
// Context-only types: the keyword comes first, the value follows within a few characters.

const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const MONTH_INDEX: Readonly<Record<string, number>> = {
	jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};
const DOB = new RegExp(
	'\\b(?:dob|d\\.o\\.b\\.?|date of birth|birth ?date|birthday|born(?: on)?)\\b[^\\d\\n]{0,20}?(' +
		'(\\d{1,2})[/.-](\\d{1,2})[/.-]((?:19|20)\\d{2})' +
		'|((?:19|20)\\d{2})-(\\d{1,2})-(\\d{1,2})' +
		`|(${MONTHS})\\.? (\\d{1,2})(?:st|nd|rd|th)?,? ((?:19|20)\\d{2})` +
		`|(\\d{1,2})(?:st|nd|rd|th)? (?:of )?(${MONTHS})\\.?,? ((?:19|20)\\d{2})` +
		')(?![\\w]|[/.-]\\d)',
	'gi',
);

const recognizeBirthDates: Recognizer = (text, emit, options) => {
	const year = options.currentYear;
	const plausible = (y: string, m: number, d: string) => isPlausibleBirthDate(Number(y), m, Number(d), year);
	const month = (name: string) => MONTH_INDEX[name.slice(0, 3).toLowerCase()];
	DOB.lastIndex = 0;
	for (let g = DOB.exec(text); g !== null; g = DOB.exec(text)) {
		const valid =
			g[4] !== undefined
				? // 03/04/1985 is 4 March in the US and 3 April elsewhere: either reading will do.
					plausible(g[4], Number(g[2]), g[3]) || plausible(g[4], Number(g[3]), g[2])
				: g[5] !== undefined
					? plausible(g[5], Number(g[6]), g[7])
					: g[8] !== undefined
						? plausible(g[10], month(g[8]), g[9])
						: plausible(g[13], month(g[12]), g[11]);
		if (!valid) continue;
		// The date is the last thing the match holds, so its start is the end minus its length.
		const end = g.index + g[0].length;
		emit('dob', end - g[1].length, end, 0.85);
	}
};

const EXPIRY =
	/\b(?:exp(?:iry|iration|ires|\.)?(?: date)?|valid (?:thru|through|until)|good thru)\b[^\d\n]{0,16}((?:0?[1-9]|1[0-2]) ?[/-] ?(?:20)?\d{2})(?![\w]|[/-]\d)/gi;

function trailingGroupRecognizer(pattern: RegExp, type: PiiType, score: number): Recognizer {
	return (text, emit) => {
		pattern.lastIndex = 0;
		for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
			const end = match.index + match[0].length;
			emit(type, end - match[1].length, end, score);
		}
	};
}

const RECOGNIZERS: Readonly<Record<PiiType, Recognizer | undefined>> = {
	card: recognizeCards,
	iban: recognizeIbans,
	ssn: undefined, // handled by the two SSN-aware recognizers below
	routing: undefined,
	email: recognizeEmails,
	phone: recognizePhones,
	ipv4: recognizeIpv4,
	ipv6: recognizeIpv6,
	dob: recognizeBirthDates,
	cvv: trailingGroupRecognizer(SECURITY_CODE, 'cvv', 0.85),
	cardExpiry: trailingGroupRecognizer(EXPIRY, 'cardExpiry', 0.8),
};

/**
 * When two findings overlap, the more specific one wins: an IBAN contains card-like digit runs, a
 * card contains phone-like ones, an SSN looks like a phone number to a lenient parser.
 */
const PRIORITY: Readonly<Record<PiiType, number>> = {
	iban: 11, card: 10, email: 9, ssn: 8, routing: 7, ipv6: 6, ipv4: 5, cvv: 4, cardExpiry: 4, dob: 3, phone: 2,
};

const ALL_TYPES = new Set<PiiType>(PII_TYPES);

/** Finds PII in `text`; findings are sorted by start and never overlap. */
export function scanForPii(text: string, options: PiiScanOptions = {}): PiiFinding[] {
	if (text.length === 0) return [];
	const wanted = options.types ? new Set(options.types) : ALL_TYPES;
	const resolved = {
		defaultCountry: options.defaultCountry ?? 'US',
		currentYear: options.currentYear ?? new Date().getUTCFullYear(),
	};
	const normalised = options.spokenNumbers ? normaliseSpokenNumbers(text) : undefined;
	const scanned = normalised?.text ?? text;

	const raw: RawFinding[] = [];
	const emit: Emit = (type, start, end, score) => {
		if (wanted.has(type)) raw.push({ type, start, end, score });
	};
	for (const type of PII_TYPES) {
		const recognizer = RECOGNIZERS[type];
		if (recognizer && wanted.has(type)) recognizer(scanned, emit, resolved);
	}
	if (wanted.has('ssn')) recognizeSeparatedSsns(scanned, emit, resolved);
	if (wanted.has('ssn') || wanted.has('routing')) recognizeNineDigitNumbers(scanned, emit, resolved);

	const kept = resolveOverlaps(raw);

	return kept.map(({ type, start, end, score }) => {
		const preview = maskedPreview(type, scanned.slice(start, end));
		const span = normalised ? normalised.toOriginalSpan([start, end]) : ([start, end] as [number, number]);
		return { type, span, score, preview };
	});
}

interface RawFinding {
	type: PiiType;
	start: number;
	end: number;
	score: number;
}

/**
 * Keeps, among findings that overlap, the most specific ones. Works cluster by cluster (a chain
 * of overlapping findings) so a 10 MB text with many findings stays linear, not quadratic.
 */
function resolveOverlaps(raw: RawFinding[]): RawFinding[] {
	raw.sort((a, b) => a.start - b.start || b.end - a.end);
	const kept: RawFinding[] = [];
	let cluster: RawFinding[] = [];
	let clusterEnd = -1;
	const flush = () => {
		if (cluster.length === 1) kept.push(cluster[0]);
		else if (cluster.length > 1) {
			cluster.sort((a, b) => PRIORITY[b.type] - PRIORITY[a.type] || b.end - b.start - (a.end - a.start) || a.start - b.start);
			const chosen: RawFinding[] = [];
			for (const finding of cluster) {
				if (!chosen.some((other) => finding.start < other.end && other.start < finding.end)) chosen.push(finding);
			}
			chosen.sort((a, b) => a.start - b.start);
			kept.push(...chosen);
		}
		cluster = [];
	};
	for (const finding of raw) {
		if (finding.start >= clusterEnd) {
			flush();
			clusterEnd = finding.end;
		} else clusterEnd = Math.max(clusterEnd, finding.end);
		cluster.push(finding);
	}
	flush();
	return kept;
}
