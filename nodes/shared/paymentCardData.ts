/**
 * Payment card data: the one recognizer of card numbers (issuer prefix and length, then Luhn) and
 * of card security codes, and the masking PCI DSS asks for wherever card data is shown or kept.
 *
 * The Compliance Check's PII scanner finds cards and security codes with these functions; the
 * review page and the HITL store mask with {@link maskCardData}. One definition, so what the check
 * reports as a card is exactly what the page and the store hide.
 *
 * PCI DSS (v4.0, requirement 3.4.1) allows a displayed card number (PAN) to show at most the first
 * six and last four digits; we keep only the last four. Sensitive authentication data — the card
 * security code (CVV2, CVC2, CID) — must never be stored after authorisation (3.3.1), so it is
 * masked whole. Masking keeps the text's length and separators, so spans found on the original
 * text still point at the same places in the masked one.
 */

/** Luhn (mod 10), the check digit on every payment card number (ISO/IEC 7812-1). */
export function passesLuhn(digits: string): boolean {
	let sum = 0;
	let double = false;
	for (let index = digits.length - 1; index >= 0; index--) {
		let digit = digits.charCodeAt(index) - 48;
		if (digit < 0 || digit > 9) return false;
		if (double) {
			digit *= 2;
			if (digit > 9) digit -= 9;
		}
		sum += digit;
		double = !double;
	}
	return sum % 10 === 0;
}

/**
 * The card brand an issuer identification number (the leading digits) and length belong to, or
 * `undefined`. Checking the prefix as well as Luhn matters: one random digit string in ten passes
 * Luhn, but few also start like a real card and have that brand's length.
 */
export function cardBrand(digits: string): string | undefined {
	const length = digits.length;
	const two = Number(digits.slice(0, 2));
	const three = Number(digits.slice(0, 3));
	const four = Number(digits.slice(0, 4));
	const six = Number(digits.slice(0, 6));
	if (digits[0] === '4' && (length === 13 || length === 16 || length === 19)) return 'visa';
	if (((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) && length === 16) return 'mastercard';
	if ((two === 34 || two === 37) && length === 15) return 'amex';
	if ((four === 6011 || two === 65 || (three >= 644 && three <= 649)) && length >= 16 && length <= 19) return 'discover';
	if (four >= 3528 && four <= 3589 && length >= 16 && length <= 19) return 'jcb';
	if ((two === 36 || two === 38 || two === 39 || (three >= 300 && three <= 305)) && length >= 14 && length <= 19) {
		return 'diners';
	}
	if (two === 62 && length >= 16 && length <= 19) return 'unionpay';
	// Maestro allows 12–18 digits, but short ones are rare and a 12-digit run in a longer number is
	// far more often something else; we accept the 16–19 digit cards actually issued today.
	if ((two === 50 || (two >= 56 && two <= 69) || six === 676770) && length >= 16 && length <= 19) return 'maestro';
	// UATP (airline cards, IATA): the only issuer whose numbers start with 1; always 15 digits, Luhn.
	if (digits[0] === '1' && length === 15) return 'uatp';
	return undefined;
}

/** How many ASCII digits a text holds (the card recognizer's and the PII scanner's length checks). */
export function countDigits(value: string): number {
	let count = 0;
	for (let index = 0; index < value.length; index++) {
		const code = value.charCodeAt(index);
		if (code >= 48 && code <= 57) count++;
	}
	return count;
}

// Cards: digit groups separated by single spaces or dashes. A candidate may hold neighbouring
// numbers too ("qty 2 4111 1111 1111 1111"), so every run of whole groups is tried, longest first.
const DIGIT_GROUPS = /(?<![\w.\-/])\d{1,19}(?:[ -]\d{1,19}){0,7}(?!\w)/g;
const DIGIT_RUN = /\d+/g;

/**
 * Every card number in `text` as `[start, end)` spans (UTF-16 code units), in order. `skip(start)`
 * drops a candidate that starts at `start` (the scanner passes its "Order #…" identifier test).
 */
export function findCardNumbers(text: string, skip: (start: number) => boolean = () => false): [number, number][] {
	const spans: [number, number][] = [];
	// Compiled once at module level (this runs on every text the scanner sees); nothing here calls
	// back into this function, so resetting lastIndex is enough.
	const groupsPattern = DIGIT_GROUPS;
	const runPattern = DIGIT_RUN;
	groupsPattern.lastIndex = 0;
	for (let match = groupsPattern.exec(text); match !== null; match = groupsPattern.exec(text)) {
		const candidate = match[0];
		if (candidate.length < 12 || countDigits(candidate) < 12 || skip(match.index)) continue;
		const groups: { start: number; digits: string }[] = [];
		runPattern.lastIndex = 0;
		for (let part = runPattern.exec(candidate); part !== null; part = runPattern.exec(candidate)) {
			groups.push({ start: part.index, digits: part[0] });
		}
		let first = 0;
		while (first < groups.length) {
			let found = -1;
			let digits = '';
			for (let last = first; last < groups.length; last++) {
				digits += groups[last].digits;
				if (digits.length > 19) break;
				if (digits.length >= 12 && cardBrand(digits) !== undefined && passesLuhn(digits)) found = last;
			}
			if (found < 0) {
				first++;
				continue;
			}
			const start = match.index + groups[first].start;
			const end = match.index + groups[found].start + groups[found].digits.length;
			if (!skip(start)) spans.push([start, end]);
			first = found + 1;
		}
	}
	return spans;
}

/**
 * A card security code: 3–4 digits after a context word ("CVV", "security code"); on their own
 * they are just small numbers. Group 1 is the code.
 */
export const SECURITY_CODE =
	/\b(?:cvv2?|cvc2?|cid|security code|card verification (?:value|code)|3-digit code|three-digit code)\b[^\d\n]{0,20}(\d{3,4})(?![\w]|[-/.]\d)/gi;

/** Every card security code in `text` as `[start, end)` spans of the digits, in order. */
export function findSecurityCodes(text: string): [number, number][] {
	const spans: [number, number][] = [];
	const pattern = SECURITY_CODE;
	pattern.lastIndex = 0;
	for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
		const end = match.index + match[0].length;
		spans.push([end - match[1].length, end]);
	}
	return spans;
}

const MASK = '*';
const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * The longest run of adjacent digits, the most digits in one run of digit groups joined by single
 * spaces or dashes (what a card candidate is made of), and whether the text has a "c" or "C".
 */
function digitShape(text: string): { longestRun: number; longestChain: number; hasC: boolean } {
	let longestRun = 0;
	let longestChain = 0;
	let run = 0;
	let chain = 0;
	let hasC = false;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (isDigit(code)) {
			run++;
			chain++;
			if (run > longestRun) longestRun = run;
			if (chain > longestChain) longestChain = chain;
			continue;
		}
		run = 0;
		if (code === 99 || code === 67) hasC = true;
		if (!((code === 32 || code === 45) && index > 0 && isDigit(text.charCodeAt(index - 1)) && isDigit(text.charCodeAt(index + 1)))) chain = 0;
	}
	return { longestRun, longestChain, hasC };
}

function isAlphanumeric(code: number): boolean {
	return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Masks every letter and digit except the last `keep` of them; separators stay so the shape reads. */
export function maskKeepingLast(value: string, keep: number): string {
	let alphanumerics = 0;
	for (let index = 0; index < value.length; index++) if (isAlphanumeric(value.charCodeAt(index))) alphanumerics++;
	let seen = 0;
	let out = '';
	for (let index = 0; index < value.length; index++) {
		const char = value[index];
		if (!isAlphanumeric(value.charCodeAt(index))) {
			out += char;
			continue;
		}
		seen++;
		out += seen > alphanumerics - keep ? char : MASK;
	}
	return out;
}

/**
 * `text` with every card number masked but for its last four digits and every card security code
 * masked whole; the same length as `text`. Unlike the Compliance Check, a number after an
 * identifier label ("Order #…") is masked too: a needless mask costs a reviewer a look-up, a
 * missed one puts a card number in front of anyone with the link.
 */
export function maskCardData(text: string): string {
	// Fast exit for the many texts with no two adjacent digits: a card number (12+ digits in at most
	// eight groups) and a security code (3–4 digits) both have them. The store masks every value
	// it writes, so this is on the write path of every decision.
	if (text.length < 3) return text;
	// Necessary conditions, checked in one pass before any pattern runs (timestamps and ids have
	// adjacent digits): a card number is 12+ digits in groups joined by single spaces or dashes; a
	// security code is 3–4 adjacent digits, and every context word for one has a "c".
	const shape = digitShape(text);
	if (shape.longestRun < 2) return text;
	const mayHoldCode = shape.longestRun >= 3 && shape.hasC;
	if (!mayHoldCode && shape.longestChain < 12) return text;
	const masks: { span: [number, number]; keep: number }[] = [
		// A text let through for a security code needs no card-number search without a 12-digit chain.
		...(shape.longestChain >= 12 ? findCardNumbers(text).map((span) => ({ span, keep: 4 })) : []),
		...(mayHoldCode ? findSecurityCodes(text).map((span) => ({ span, keep: 0 })) : []),
	];
	if (masks.length === 0) return text;
	masks.sort((a, b) => a.span[0] - b.span[0]);
	let out = '';
	let cursor = 0;
	for (const { span, keep } of masks) {
		const [start, end] = span;
		if (start < cursor) continue; // a code inside a card number already masked
		out += text.slice(cursor, start) + maskKeepingLast(text.slice(start, end), keep);
		cursor = end;
	}
	return out + text.slice(cursor);
}

/**
 * A copy of `value` (any JSON-like data) with {@link maskCardData} applied to every string in it,
 * object keys excepted. Values that hold no card data come back as the same objects.
 */
export function maskCardDataDeep<T>(value: T): T {
	if (typeof value === 'string') return maskCardData(value) as T;
	// Copies only where an entry changes: the store masks every record it writes, and almost none
	// hold card data, so the common path allocates nothing.
	if (Array.isArray(value)) {
		let out: unknown[] | undefined;
		for (let index = 0; index < value.length; index++) {
			const entry: unknown = value[index];
			const masked = maskCardDataDeep(entry);
			if (out === undefined && masked !== entry) out = value.slice(0, index);
			out?.push(masked);
		}
		return (out ?? value) as T;
	}
	if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		const record = value as Record<string, unknown>;
		let changed = false;
		for (const key in record) {
			const entry = record[key];
			if (maskCardDataDeep(entry) !== entry) {
				changed = true;
				break;
			}
		}
		if (!changed) return value;
		const out: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(record)) out[key] = maskCardDataDeep(entry);
		return out as T;
	}
	return value;
}
