/**
 * The *Candidate Phone Countries* option as written by a user ("IL, jp; CN") → country codes the
 * numbering-plan metadata knows, and the entries it does not (for the node's error message).
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

const SEPARATORS = /[\s,;]+/;

export function parsePhoneCountries(list: string): { countries: CountryCode[]; unknown: string[] } {
	const countries: CountryCode[] = [];
	const unknown: string[] = [];
	for (const entry of list.split(SEPARATORS)) {
		if (entry === '') continue;
		const code = entry.toUpperCase();
		if (/^[A-Z]{2}$/.test(code) && isSupportedCountry(code)) {
			if (!countries.includes(code)) countries.push(code);
		} else unknown.push(entry);
	}
	return { countries, unknown };
}
