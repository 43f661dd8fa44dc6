/**
 * Finds personal data in a text: a fast candidate pass per entity type (module-level regexes,
 * compiled once, each bounded so no input can make it backtrack far), then a validator per
 * candidate (Luhn, mod-97, SSA rules, the ABA checksum, libphonenumber's metadata). Types that
 * have no checksum — date of birth, CVV, card expiry — are reported only after a context word
 * ("date of birth", "CVV", "expires"), because on their own they are just dates and small numbers.
 * Every finding carries a confidence from the evidence behind it (piiConfidence.ts); findings below
 * the minimum confidence are dropped before overlaps are resolved, so a weak reading never hides a
 * stronger one.
 *
 * Spans are `[start, end)` offsets in UTF-16 code units of the string passed in (see PiiFinding).
 */
// The `max` metadata checks a number's digits against the numbering plan, not only its length
// (which is all the default `min` metadata does): the difference between "valid in Japan" and
// "eleven digits".
import { Metadata, type MetadataJson } from 'libphonenumber-js/core';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import phoneMetadata from 'libphonenumber-js/metadata.max.json';

import { maskedPreview } from './maskPii';
import { normaliseSpokenNumbers } from './normaliseSpokenNumbers';
import { CONFIDENCE, DEFAULT_MIN_CONFIDENCE, withContext } from './piiConfidence';
import { PII_TYPES, type PiiFinding, type PiiType } from './piiTypes';
import { countDigits, findCardNumbers, SECURITY_CODE } from '../shared/paymentCardData';
import {
	IBAN_LENGTHS,
	isPlausibleBirthDate,
	isPlausibleEmail,
	isValidAbaRouting,
	isValidIban,
	isValidIpv4,
	isValidIpv6,
	isValidPrefixLength,
	isValidSsn,
} from './validatePiiCandidate';

export interface PiiScanOptions {
	/** Types to look for; all by default. */
	types?: readonly PiiType[];
	/** Country for phone numbers written without `+` and a country code. Default `US`. */
	defaultCountry?: CountryCode;
	/**
	 * Further countries whose national format a number without `+` may be in ("09-876-5432" in
	 * Israel, "090-1234-5678" in Japan); tried after `defaultCountry`. Each adds numbering plans a
	 * digit run can happen to fit, so list only the countries your customers write from.
	 */
	phoneCountries?: readonly CountryCode[];
	/**
	 * Findings scoring below this are not reported (0..1; default 0.5). Lower it to also get weak,
	 * shape-only findings such as nine bare digits that pass the ABA checksum.
	 */
	minConfidence?: number;
	/** Rewrite spoken digits ("four one one one …") before scanning; for call transcripts. */
	spokenNumbers?: boolean;
	/** The year birth dates must not exceed; defaults to the current year (tests pin it). */
	currentYear?: number;
}

type Emit = (type: PiiType, start: number, end: number, score: number) => void;
interface RecognizerOptions {
	/** The default country first, then the other candidate countries, without repeats. */
	phoneCountries: readonly CountryCode[];
	currentYear: number;
}
type Recognizer = (text: string, emit: Emit, options: RecognizerOptions) => void;

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

// ---------------------------------------------------------------------------------------------
// Cards: the shared recognizer (issuer prefix, length, Luhn), minus our own labelled identifiers.

const recognizeCards: Recognizer = (text, emit) => {
	for (const [start, end] of findCardNumbers(text, (at) => isLabelledIdentifier(text, at))) {
		if (!insideIbanShapedRun(text, start, end)) emit('card', start, end, CONFIDENCE.cardChecksum);
	}
};

/**
 * A mistyped IBAN ("AD84 4917 4603 0858 1826 4214": an IBAN country, check digits, the country's
 * length, but a failing mod-97) holds 16 digits that pass Luhn one time in ten; they are part of
 * that IBAN, not a card. So a card is dropped when it lies inside a run that starts with an IBAN
 * country's head and has exactly that country's IBAN length.
 */
const IBAN_HEAD_BEFORE = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}(?:[ -]?[A-Za-z0-9]{4})*[ -]?$/;

function insideIbanShapedRun(text: string, start: number, end: number): boolean {
	const from = Math.max(0, start - 40);
	const head = IBAN_HEAD_BEFORE.exec(text.slice(from, start));
	const length = head === null ? undefined : IBAN_LENGTHS[head[1].toUpperCase()];
	if (head === null || length === undefined) return false;
	let count = 0;
	let at = from + head.index;
	for (; at < text.length && count < length; at++) {
		const char = text[at];
		if (char === ' ' || char === '-') continue;
		if (!ALPHANUMERIC.test(char)) return false;
		count++;
	}
	return count === length && at >= end && !ALPHANUMERIC.test(text[at] ?? '');
}

// ---------------------------------------------------------------------------------------------
// IBAN: country code, check digits, then the country's length of alphanumerics, optionally in
// groups of four separated by spaces or dashes (ISO 13616's print form uses spaces; banks' web
// pages and forms also write dashes). The candidate may run into following words, so we cut it at
// the country length.

const IBAN_CANDIDATE = /(?<![A-Za-z0-9-])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{1,4}){3,9}/g;

const recognizeIbans: Recognizer = (text, emit) => {
	IBAN_CANDIDATE.lastIndex = 0;
	for (let match = IBAN_CANDIDATE.exec(text); match !== null; match = IBAN_CANDIDATE.exec(text)) {
		const candidate = match[0];
		let compact = '';
		let end = 0;
		for (let index = 0; index < candidate.length; index++) {
			const char = candidate[index];
			if (char === ' ' || char === '-') continue;
			compact += char.toUpperCase();
			end = index + 1;
			if (compact.length === 34) break;
			if (compact.length >= 15 && isValidIban(compact) && !ALPHANUMERIC.test(candidate[index + 1] ?? '')) {
				emit('iban', match.index, match.index + end, CONFIDENCE.ibanChecksum);
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
		emit('ssn', match.index, match.index + match[0].length, match[2] === '-' ? CONFIDENCE.ssnDashed : CONFIDENCE.ssnSpaced);
	}
};

// ---------------------------------------------------------------------------------------------
// Nine digits — bare, or written as an SSN with dots (123.45.6789) or one dash (12345-6789,
// 123-456789) — are an SSN, a routing number, or (far more often) an order number or a ZIP+4 code.
// We decide by the nearest context word before it, then validate by that type's rules. Without a
// context word the shape alone is a weak finding (reported only below the default minimum
// confidence): an ABA checksum pass reads as a routing number, the SSA rules as an SSN.

const NINE_DIGITS = /(?<![\w.\-/])(?:\d{9}|\d{3}\.\d{2}\.\d{4}|\d{5}-\d{4}|\d{3}-\d{6})(?![\w]|[-/.]\d)/g;
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
		if (isLabelledIdentifier(text, match.index)) continue;
		const bare = match[0].length === 9;
		const digits = bare ? match[0] : match[0].replace(NON_DIGITS, '');
		const end = match.index + match[0].length;
		if (kind === 'ssn') {
			if (isValidSsn(digits)) emit('ssn', match.index, end, CONFIDENCE.nineDigitsWithContext);
		} else if (kind === 'routing') {
			// Routing numbers are written as nine bare digits (the MICR line has no separators).
			if (bare && isValidAbaRouting(digits)) emit('routing', match.index, end, CONFIDENCE.nineDigitsWithContext);
		} else if (bare) {
			if (isValidAbaRouting(digits)) emit('routing', match.index, end, CONFIDENCE.routingShapeOnly);
			else if (isValidSsn(digits)) emit('ssn', match.index, end, CONFIDENCE.ssnShapeOnly);
		} else if (isValidSsn(digits)) emit('ssn', match.index, end, CONFIDENCE.ssnSeparatedShapeOnly);
	}
};

const NON_DIGITS = /\D/g;

// ---------------------------------------------------------------------------------------------
// E-mail. Anchored on each "@" (rare in text) and expanded by hand, each side length-bounded, so
// a 10 MB run of letters costs one indexOf, not a regex attempt at every position. Letters beyond
// ASCII count on both sides (RFC 6531 addresses, Unicode domains such as bücher.de), so
// "müller@bücher.de" is found whole, not as "ller@b"; the validator checks such a domain in its
// punycode (`xn--`) form. Scripts written without spaces (Chinese, Japanese) can run into the words
// around an address; we do not segment them.

const UNICODE_WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const isUnicodeWordChar = (code: number) => code > 127 && UNICODE_WORD_CHAR.test(String.fromCharCode(code));
const isLocalChar = (code: number) =>
	(code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) ||
	code === 46 || code === 95 || code === 37 || code === 43 || code === 45 || isUnicodeWordChar(code); // . _ % + -
const isDomainChar = (code: number) =>
	(code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 45 ||
	isUnicodeWordChar(code);

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
		if (isPlausibleEmail(text.slice(start, at), text.slice(at + 1, end))) emit('email', start, end, CONFIDENCE.emailFormat);
	}
};

// ---------------------------------------------------------------------------------------------
// Phone numbers: an optional +country code, an optional (area code), then digit groups with
// single separators; libphonenumber's metadata decides whether the digits form a real number.
// Without `+`, the number is read in each candidate country's national format in turn (the
// default country first); the first plan it is valid in makes it a phone number.

const PHONE_CANDIDATE =
	/(?<![\w+.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,12}(?:[ .-]\d{1,10}){0,5}(?![\w]|[.:-]\d|\/)/g;

/** Words that say a phone number follows: "call me on", "tel.", "WhatsApp", "mobile". */
const PHONE_CONTEXT = /\b(?:phone|tel|telephone|call|ring|mobile|cell|cellphone|whatsapp|fax|sms|text me|reach me|contact number|number is)\b/i;
const PHONE_CONTEXT_WINDOW = 32;
/** Day-month-year dates written with the separators phone numbers use ("12.05.2024", "3/4/85"). */
const DAY_MONTH_YEAR = /^\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})$/;

const recognizePhones: Recognizer = (text, emit, options) => {
	PHONE_CANDIDATE.lastIndex = 0;
	for (let match = PHONE_CANDIDATE.exec(text); match !== null; match = PHONE_CANDIDATE.exec(text)) {
		const candidate = match[0];
		if (isLabelledIdentifier(text, match.index)) continue;
		const score = phoneScore(candidate, options.phoneCountries);
		if (score === undefined) {
			// The candidate may have taken in a neighbouring number ("qty 2 4155552671",
			// "91 9876543210" read as one run): try again from its next space-separated group.
			const space = candidate.indexOf(' ');
			if (space > 0) PHONE_CANDIDATE.lastIndex = match.index + space + 1;
			continue;
		}
		// A context word adds evidence to a national number (which other digit runs can resemble);
		// `+` and a calling code already say "phone".
		const context =
			!candidate.startsWith('+') && PHONE_CONTEXT.test(text.slice(Math.max(0, match.index - PHONE_CONTEXT_WINDOW), match.index));
		emit('phone', match.index, match.index + candidate.length, withContext(score, context));
	}
};

/** The confidence of `candidate` as a phone number, or `undefined` when it is none. */
function phoneScore(candidate: string, countries: readonly CountryCode[]): number | undefined {
	const digitCount = countDigits(candidate);
	if (digitCount < 7 || digitCount > 15) return undefined;
	// Dates, times and versions use the same separators; a phone number never has a 4-digit
	// group followed by 2-digit groups only ("2024-03-15"), which libphonenumber may accept.
	if (ISO_DATE.test(candidate) || DAY_MONTH_YEAR.test(candidate)) return undefined;
	if (candidate.startsWith('+')) return isValidInternationalPhone(candidate) ? CONFIDENCE.phoneInternational : undefined;
	return nationalPhoneScore(candidate, digitCount, countries);
}

/** An international number: valid in the plan of the country its calling code names. */
function isValidInternationalPhone(candidate: string): boolean {
	return parsePhoneNumberFromString(candidate)?.isValid() === true;
}

/**
 * A number without `+`: the score of the first candidate country whose plan it is valid in (the
 * default country scores higher than the others), or `undefined` when none.
 *
 * For the other candidate countries the number must also be *written* the way that country writes
 * it: where its plan puts a trunk prefix before national numbers ("0" in the UK, Germany, Japan,
 * Israel), a number without it is not in that country's national format. libphonenumber itself
 * accepts the bare national significant number, so "1388 126433" would otherwise be a British
 * landline and "1745 090205" a German mobile; with nine candidate countries most digit runs would
 * fit some plan that way. A number that starts with the country's calling code ("91 98765 43210")
 * counts as written in full.
 */
function nationalPhoneScore(candidate: string, digitCount: number, countries: readonly CountryCode[]): number | undefined {
	for (let index = 0; index < countries.length; index++) {
		const country = countries[index];
		if (NANP_COUNTRIES.has(country) && !looksLikeNanpNumber(candidate, digitCount)) continue;
		const parsed = parsePhoneNumberFromString(candidate, country);
		if (!parsed?.isValid()) continue;
		if (index === 0) return CONFIDENCE.phoneNational;
		const written = candidate.replace(NON_DIGITS, '');
		if (written.startsWith(parsed.countryCallingCode) || !trunkPrefixRequired(country, parsed.nationalNumber, written)) {
			return CONFIDENCE.phoneNationalOtherCountry;
		}
	}
	return undefined;
}

/**
 * The parts of libphonenumber's numbering-plan metadata we read: the trunk ("national") prefix and,
 * per number format, whether national format must show it. These methods exist on the `Metadata`
 * class the library exports but are left out of its type declarations.
 */
interface NumberFormat {
	pattern(): string;
	leadingDigitsPatterns(): string[];
	nationalPrefixIsMandatoryWhenFormattingInNationalFormat(): boolean;
}
interface PlanWithFormats {
	nationalPrefix(): string | undefined;
	formats(): NumberFormat[];
}

// The JSON's country codes are typed as plain strings; it is the metadata `libphonenumber-js/max` uses.
const PLANS = new Metadata(phoneMetadata as unknown as MetadataJson);

/**
 * Whether `country` writes `nationalNumber` with its trunk prefix in national format and `written`
 * (the digits as the text has them) lacks it. The format is chosen as libphonenumber formats a
 * number: the first whose most detailed leading-digits pattern and whole pattern match.
 */
function trunkPrefixRequired(country: CountryCode, nationalNumber: string, written: string): boolean {
	PLANS.selectNumberingPlan(country);
	const plan = PLANS.numberingPlan as unknown as PlanWithFormats;
	const prefix = plan.nationalPrefix();
	if (!prefix || written.startsWith(prefix)) return false;
	const format = plan.formats().find((candidateFormat) => {
		const leading = candidateFormat.leadingDigitsPatterns();
		if (leading.length > 0 && nationalNumber.search(new RegExp(leading[leading.length - 1])) !== 0) return false;
		return new RegExp(`^(?:${candidateFormat.pattern()})$`).test(nationalNumber);
	});
	return format?.nationalPrefixIsMandatoryWhenFormattingInNationalFormat() === true;
}

/** Countries of the North American Numbering Plan (+1) whose national numbers are 3-3-4 digits. */
const NANP_COUNTRIES: ReadonlySet<string> = new Set(['US', 'CA']);

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
// IP addresses, each with an optional CIDR prefix length (`10.0.0.0/8`, `2001:db8::/32`), which is
// part of the value: redacting the address and leaving "/8" reads as a fragment. An IPv6 address
// may end in an embedded IPv4 part (`::ffff:192.0.2.1`, `64:ff9b::198.51.100.1`); the IPv6
// candidate takes it whole, so the IPv4 tail is never left behind as a separate finding.

const IPV4 = /(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?:\/(\d{1,3}))?(?![\w]|\.\d|\/\d)/g;
const IPV6 =
	/(?<![\w:.])((?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?)(?:\/(\d{1,3}))?(?![\w:]|\.\d|\/\d)/g;

/** "Section 3.2.1.4", "version 10.2.0.1", "firmware 10.2.0.1": dotted numbers that are not addresses. */
const NUMBERING_LABEL_BEFORE = /\b(?:section|sect?\.|version|ver\.?|v|build|release|firmware|chapter|clause|article|rule|step|item)\s*$/i;

const recognizeIpv4: Recognizer = (text, emit) => {
	IPV4.lastIndex = 0;
	for (let match = IPV4.exec(text); match !== null; match = IPV4.exec(text)) {
		const prefix = match[2];
		if (!isValidIpv4(match[1]) || (prefix !== undefined && !isValidPrefixLength(prefix, 32))) continue;
		const before = text.slice(Math.max(0, match.index - 12), match.index);
		if (!NUMBERING_LABEL_BEFORE.test(before)) emit('ipv4', match.index, match.index + match[0].length, CONFIDENCE.ipFormat);
	}
};

/** Every IPv6 address has two colons with at most four hex digits between; most texts have none. */
const IPV6_HINT = /:[0-9A-Fa-f]{0,4}:/;

const recognizeIpv6: Recognizer = (text, emit) => {
	if (!IPV6_HINT.test(text)) return;
	IPV6.lastIndex = 0;
	for (let match = IPV6.exec(text); match !== null; match = IPV6.exec(text)) {
		const prefix = match[2];
		// A network written with its prefix length (`fe80::/10`, `2001:db8::/32`) may have one group.
		const valid = prefix === undefined ? isValidIpv6(match[1]) : isValidPrefixLength(prefix, 128) && isValidIpv6(match[1], 1);
		if (valid) emit('ipv6', match.index, match.index + match[0].length, CONFIDENCE.ipFormat);
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
		emit('dob', end - g[1].length, end, CONFIDENCE.dobWithContext);
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
	cvv: trailingGroupRecognizer(SECURITY_CODE, 'cvv', CONFIDENCE.cvvWithContext),
	cardExpiry: trailingGroupRecognizer(EXPIRY, 'cardExpiry', CONFIDENCE.cardExpiryWithContext),
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
	const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
	const resolved: RecognizerOptions = {
		phoneCountries: [...new Set([options.defaultCountry ?? 'US', ...(options.phoneCountries ?? [])])],
		currentYear: options.currentYear ?? new Date().getUTCFullYear(),
	};
	const normalised = options.spokenNumbers ? normaliseSpokenNumbers(text) : undefined;
	const scanned = normalised?.text ?? text;

	const raw: RawFinding[] = [];
	const emit: Emit = (type, start, end, score) => {
		if (wanted.has(type) && score >= minConfidence) raw.push({ type, start, end, score });
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
