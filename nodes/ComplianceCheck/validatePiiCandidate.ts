/**
 * Checksums and validity rules that turn "looks like a number of the right shape" into "is one".
 * This is where our precision comes from: a regex finds candidates, these functions keep only the
 * candidates a real issuer could have produced. All take digit/character strings already stripped
 * of separators, and none allocates more than it must (they run once per candidate).
 */
import { isIPv6 } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]+$/;
const NINE_DIGITS = /^\d{9}$/;
const TOP_LEVEL_DOMAIN = /^(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})$/;
/** A-label prefix (RFC 5890): the ASCII form of an internationalised label. */
const A_LABEL = /(?:^|\.)xn--/i;
const NON_ASCII = /[^\x00-\x7f]/;

// The card checks live with the one card recognizer, shared with the review page's and the
// store's masking; re-exported here so every validator is still found in this file.
export { cardBrand, passesLuhn } from '../shared/paymentCardData';

/**
 * IBAN length by country (SWIFT IBAN registry); a country not listed has no IBAN. The second block
 * joined the registry from 2021 on (Burundi, Djibouti, Falklands, Honduras, Libya, Mongolia,
 * Nicaragua, Oman, Russia, Somalia, Sudan, Yemen).
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
	AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22,
	CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22,
	GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
	KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31,
	MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24,
	SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
	BI: 27, DJ: 27, FK: 18, HN: 28, LY: 25, MN: 20, NI: 28, OM: 23, RU: 33, SD: 18, SO: 23, YE: 30,
};

/** ISO 13616 check: move the first four characters to the end, letters to 10..35, remainder mod 97 is 1. */
export function passesIbanMod97(iban: string): boolean {
	const rearranged = iban.slice(4) + iban.slice(0, 4);
	let remainder = 0;
	for (let index = 0; index < rearranged.length; index++) {
		const code = rearranged.charCodeAt(index);
		if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
		else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
		else return false;
	}
	return remainder === 1;
}

/** Whole IBAN check: known country, that country's length, digits for the check, mod-97. */
export function isValidIban(iban: string): boolean {
	const expected = IBAN_LENGTHS[iban.slice(0, 2)];
	return expected === iban.length && IBAN_SHAPE.test(iban) && passesIbanMod97(iban);
}

/**
 * Numbers the SSA has published or that circulated as samples (the Woolworth wallet card,
 * advertising examples); a real person cannot have them, so a message quoting one is not leaking one.
 */
const SAMPLE_SSNS = new Set(['078051120', '219099999', '457555462', '123456789', '111111111', '333333333']);

/**
 * US Social Security number rules (SSA, since randomisation in 2011): area not 000, 666 or 900–999;
 * group not 00; serial not 0000; not a known sample number.
 */
export function isValidSsn(digits: string): boolean {
	if (digits.length !== 9) return false;
	const area = digits.slice(0, 3);
	if (area === '000' || area === '666' || area[0] === '9') return false;
	if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
	return !SAMPLE_SSNS.has(digits);
}

/**
 * ABA routing transit number: a Federal Reserve prefix (00–12 banks, 21–32 thrifts, 61–72
 * electronic, 80 traveller's cheques) and the weighted checksum 3-7-1 repeated, mod 10.
 */
export function isValidAbaRouting(digits: string): boolean {
	if (digits.length !== 9 || !NINE_DIGITS.test(digits)) return false;
	const prefix = Number(digits.slice(0, 2));
	const prefixOk = prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
	if (!prefixOk || digits === '000000000') return false;
	const d = (index: number) => digits.charCodeAt(index) - 48;
	const sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5) + d(8));
	return sum % 10 === 0;
}

/** Dotted quad with each octet 0–255 and no leading zeros (which some parsers read as octal). */
export function isValidIpv4(candidate: string): boolean {
	const parts = candidate.split('.');
	if (parts.length !== 4) return false;
	for (const part of parts) {
		if (part.length === 0 || part.length > 3 || (part.length > 1 && part[0] === '0')) return false;
		if (Number(part) > 255) return false;
	}
	return true;
}

/**
 * Node's own IPv6 parser (which accepts an embedded IPv4 tail, RFC 4291 §2.2, e.g. `::ffff:192.0.2.1`),
 * plus, without such a tail, at least `minGroups` non-empty groups so "a::b"-like words and
 * `12:30::` do not count.
 */
export function isValidIpv6(candidate: string, minGroups = 3): boolean {
	if (!isIPv6(candidate)) return false;
	// An embedded IPv4 tail that Node's parser accepts is evidence enough (`::192.0.2.1`).
	if (candidate.includes('.')) return true;
	let groupsWithHex = 0;
	for (const group of candidate.split(':')) if (group.length > 0) groupsWithHex++;
	return groupsWithHex >= minGroups;
}

/**
 * A CIDR prefix length after an address (RFC 4632 / RFC 4291 §2.3): decimal, no leading zero,
 * at most 32 bits for IPv4 and 128 for IPv6.
 */
export function isValidPrefixLength(prefix: string, bits: 32 | 128): boolean {
	if (prefix.length === 0 || prefix.length > 3 || (prefix.length > 1 && prefix[0] === '0')) return false;
	return Number(prefix) <= bits;
}

/** A calendar date that exists, with a year a living person could have been born in. */
export function isPlausibleBirthDate(year: number, month: number, day: number, currentYear: number): boolean {
	if (year < 1900 || year > currentYear || month < 1 || month > 12 || day < 1) return false;
	const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return day <= daysInMonth;
}

/**
 * The e-mail shape RFC 5321 allows in practice: dot rules on the local part, real-looking labels and
 * TLD. Internationalised domains (RFC 5890/5891) count in either form: a Unicode domain is checked
 * in its ASCII (punycode) form, and every `xn--` label must decode, so `xn--zz.com` is no domain.
 */
export function isPlausibleEmail(local: string, domain: string): boolean {
	if (local.length === 0 || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
		return false;
	}
	if (NON_ASCII.test(domain) || A_LABEL.test(domain)) {
		const unicode = domainToUnicode(domain.toLowerCase());
		// An A-label that does not decode is left as it was by domainToUnicode.
		if (unicode === '' || A_LABEL.test(unicode)) return false;
		if (NON_ASCII.test(domain)) {
			const ascii = domainToASCII(domain);
			if (ascii === '') return false;
			domain = ascii;
		}
	}
	const labels = domain.split('.');
	if (labels.length < 2) return false;
	for (const label of labels) {
		if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
	}
	return TOP_LEVEL_DOMAIN.test(labels[labels.length - 1]);
}
