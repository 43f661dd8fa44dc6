import {
	cardBrand,
	isPlausibleBirthDate,
	isPlausibleEmail,
	isValidAbaRouting,
	isValidIban,
	isValidIpv4,
	isValidIpv6,
	isValidPrefixLength,
	isValidSsn,
	passesLuhn,
} from '../../../nodes/ComplianceCheck/validatePiiCandidate';

describe('Luhn and card brands', () => {
	it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '2223003122003222'])(
		'%s passes Luhn and has a brand',
		(digits) => {
			expect(passesLuhn(digits)).toBe(true);
			expect(cardBrand(digits)).toBeDefined();
		},
	);
	it('rejects a one-digit change and brandless prefixes', () => {
		expect(passesLuhn('4111111111111112')).toBe(false);
		expect(cardBrand('9111111111111111')).toBeUndefined();
		expect(cardBrand('411111111111111')).toBeUndefined(); // Visa has 13, 16 or 19 digits, not 15
		expect(cardBrand('371111111111111')).toBe('amex');
		expect(cardBrand('3711111111111111')).toBeUndefined(); // Amex is 15 digits
	});
});

describe('IBAN', () => {
	it.each(['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300'])('%s is valid', (iban) => {
		expect(isValidIban(iban)).toBe(true);
	});
	it('rejects a wrong check, a wrong length and an unknown country', () => {
		expect(isValidIban('DE89370400440532013001')).toBe(false);
		expect(isValidIban('DE8937040044053201300')).toBe(false);
		expect(isValidIban('XX89370400440532013000')).toBe(false);
	});
});

describe('SSN rules', () => {
	it('accepts an ordinary number', () => expect(isValidSsn('536221234')).toBe(true));
	it.each([
		['000221234', 'area 000'],
		['666221234', 'area 666'],
		['912221234', 'area 9xx'],
		['536001234', 'group 00'],
		['536220000', 'serial 0000'],
		['078051120', 'the Woolworth sample'],
		['123456789', 'the advertising sample'],
	])('rejects %s (%s)', (digits) => expect(isValidSsn(digits)).toBe(false));
});

describe('ABA routing numbers', () => {
	it.each(['021000021', '011401533', '091000019', '322271627'])('%s passes', (digits) => expect(isValidAbaRouting(digits)).toBe(true));
	it('rejects a bad checksum and a prefix the Fed does not use', () => {
		expect(isValidAbaRouting('021000022')).toBe(false);
		expect(isValidAbaRouting('501000010')).toBe(false);
	});
});

describe('IP addresses, dates, e-mail', () => {
	it('IPv4 octets and leading zeros', () => {
		expect(isValidIpv4('192.168.1.20')).toBe(true);
		expect(isValidIpv4('256.1.1.1')).toBe(false);
		expect(isValidIpv4('01.2.3.4')).toBe(false);
	});
	it('IPv6 through the node parser, not times or MAC addresses', () => {
		expect(isValidIpv6('2001:db8::8a2e:370:7334')).toBe(true);
		expect(isValidIpv6('10:22:33')).toBe(false);
		expect(isValidIpv6('00:1A:2B:3C:4D:5E')).toBe(false);
	});
	it('birth dates exist and are not in the future', () => {
		expect(isPlausibleBirthDate(1985, 2, 28, 2026)).toBe(true);
		expect(isPlausibleBirthDate(1985, 2, 30, 2026)).toBe(false);
		expect(isPlausibleBirthDate(2030, 1, 1, 2026)).toBe(false);
	});
	it('e-mail dot and label rules', () => {
		expect(isPlausibleEmail('jane.doe', 'example.com')).toBe(true);
		expect(isPlausibleEmail('.jane', 'example.com')).toBe(false);
		expect(isPlausibleEmail('jane..doe', 'example.com')).toBe(false);
		expect(isPlausibleEmail('jane', 'localhost')).toBe(false);
		expect(isPlausibleEmail('jane', 'example.c0m')).toBe(false);
	});
});

describe('formats added for issue 17', () => {
	it('UATP: 15 digits with a leading 1', () => {
		expect(cardBrand('122000000000003')).toBe('uatp');
		expect(cardBrand('1220000000000030')).toBeUndefined();
	});

	it('IBANs of the countries that joined the registry since 2021, by their registry examples', () => {
		for (const iban of ['BI4210000100010000332045181', 'DJ2100010000000154000100186', 'LY83002048000020100120361', 'RU0304452522540817810538091310419', 'SD2129010501234001']) {
			expect(isValidIban(iban)).toBe(true);
		}
		expect(isValidIban('SD2129010501234002')).toBe(false);
	});

	it('CIDR prefix lengths', () => {
		expect(isValidPrefixLength('8', 32)).toBe(true);
		expect(isValidPrefixLength('32', 32)).toBe(true);
		expect(isValidPrefixLength('33', 32)).toBe(false);
		expect(isValidPrefixLength('128', 128)).toBe(true);
		expect(isValidPrefixLength('08', 32)).toBe(false);
	});

	it('IPv6 with an embedded IPv4 tail', () => {
		expect(isValidIpv6('::ffff:192.0.2.1')).toBe(true);
		expect(isValidIpv6('::192.0.2.1')).toBe(true);
		expect(isValidIpv6('2001:db8::192.168.1.256')).toBe(false);
	});

	it('e-mail on internationalised domains', () => {
		expect(isPlausibleEmail('info', 'xn--bcher-kva.de')).toBe(true);
		expect(isPlausibleEmail('info', 'bücher.de')).toBe(true);
		expect(isPlausibleEmail('a', 'xn--e1afmkfd.xn--p1ai')).toBe(true);
		expect(isPlausibleEmail('a', 'xn--zz.com')).toBe(false);
		expect(isPlausibleEmail('a', 'example.xn--a')).toBe(false);
	});
});

