import { parsePhoneCountries } from '../../../nodes/ComplianceCheck/phoneCountries';

describe('parsePhoneCountries', () => {
	it('reads codes separated by commas, semicolons or spaces, in any case, without repeats', () => {
		expect(parsePhoneCountries('il, JP;cn  IN, il')).toEqual({ countries: ['IL', 'JP', 'CN', 'IN'], unknown: [] });
		expect(parsePhoneCountries('')).toEqual({ countries: [], unknown: [] });
	});

	it('returns what is not a country with a numbering plan', () => {
		expect(parsePhoneCountries('IL, Japan, XX, 12')).toEqual({ countries: ['IL'], unknown: ['Japan', 'XX', '12'] });
	});
});
