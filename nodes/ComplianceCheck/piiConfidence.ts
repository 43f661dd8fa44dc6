/**
 * How sure a PII finding is, from the evidence that produced it. One table, so every recognizer
 * scores the same evidence the same way and the node's *Minimum Confidence* option means one thing.
 *
 * The evidence, strongest first:
 * - a **checksum** over the whole value (Luhn, ISO 13616 mod-97): a random digit string passes one
 *   time in 10 (Luhn) or 97 (mod-97), and the brand prefix / country length cut that further;
 * - a **format** that only this kind of value has (`123-45-6789`, `+44 …`, a dotted quad, `a@b.c`)
 *   together with the format's own validity rules (SSA rules, a numbering plan, octets ≤ 255);
 * - a **context word** right before the value ("SSN", "routing", "phone") — it tells which of
 *   several look-alike readings is meant, and is all we have for dates, CVVs and expiries;
 * - a **shape** alone (nine bare digits): most such numbers are order or invoice numbers, so these
 *   *weak* findings are reported only when the user lowers the minimum confidence below
 *   {@link DEFAULT_MIN_CONFIDENCE}.
 *
 * The figures are ordinal, not calibrated probabilities: they rank findings by evidence, and the
 * default cut keeps exactly the findings the scanner reported before weak findings existed.
 */
export const CONFIDENCE = {
	/** IBAN: country, country length and mod-97 (a 1-in-97 chance for a random string). */
	ibanChecksum: 0.98,
	/** Card: brand prefix and length, and Luhn. */
	cardChecksum: 0.95,
	/** E-mail: local part, `@`, a domain with valid labels and a real TLD. */
	emailFormat: 0.95,
	/** IP address: a valid dotted quad or a valid IPv6 address (with an optional CIDR suffix). */
	ipFormat: 0.9,
	/** Phone written with `+` and a country code, valid in that country's numbering plan. */
	phoneInternational: 0.9,
	/** Phone in national format, valid in the default country's plan. */
	phoneNational: 0.8,
	/** Phone in national format, valid in another of the user's candidate countries' plans. */
	phoneNationalOtherCountry: 0.7,
	/** SSN `123-45-6789` passing the SSA rules. */
	ssnDashed: 0.9,
	/** SSN `123 45 6789` passing the SSA rules (spaces also group other numbers). */
	ssnSpaced: 0.8,
	/** Nine digits (bare, dotted or with one dash) after "SSN" / "routing": context plus SSA rules or the ABA checksum. */
	nineDigitsWithContext: 0.85,
	/** Date of birth / CVV after their context word; a valid calendar date for the DOB. */
	dobWithContext: 0.85,
	cvvWithContext: 0.85,
	cardExpiryWithContext: 0.8,
	/** Nine bare digits that pass the ABA checksum and prefix, with no context word: weak. */
	routingShapeOnly: 0.35,
	/** An SSN written with dots or one dash, with no context word: weak. */
	ssnSeparatedShapeOnly: 0.3,
	/** Nine bare digits that pass the SSA rules, with no context word: the weakest (most 9-digit numbers do). */
	ssnShapeOnly: 0.15,
} as const;

/** What a context word adds to a finding that is valid on its own (a phone number after "call me on"). */
export const CONTEXT_BONUS = 0.1;

/**
 * The node's default minimum: every finding the scanner reported before weak findings existed
 * scores at least 0.7; weak shape-only findings score below 0.5 and stay unreported unless asked for.
 */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/** `score` raised by the context bonus when a context word was seen, never above 0.99. */
export function withContext(score: number, hasContext: boolean): number {
	return hasContext ? Math.min(0.99, Math.round((score + CONTEXT_BONUS) * 100) / 100) : score;
}
