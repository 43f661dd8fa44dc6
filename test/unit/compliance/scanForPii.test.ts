import { scanForPii } from '../../../nodes/ComplianceCheck/scanForPii';
import { normaliseSpokenNumbers } from '../../../nodes/ComplianceCheck/normaliseSpokenNumbers';

const found = (text: string, options = {}) =>
	scanForPii(text, { currentYear: 2026, ...options }).map((finding) => [finding.type, text.slice(...finding.span)]);

describe('scanForPii', () => {
	it('finds a card in every common layout and length', () => {
		for (const card of ['4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '3782 822463 10005', '6011111111111117']) {
			expect(found(`pay with ${card} please`)).toEqual([['card', card]]);
		}
	});

	it('never echoes a full card number in a preview', () => {
		const [finding] = scanForPii('card 4111 1111 1111 1111');
		expect(finding.preview).toBe('**** **** **** 1111');
		expect(JSON.stringify(scanForPii('card 4111111111111111'))).not.toContain('4111111111111111');
	});

	it('ignores Luhn failures, brandless numbers and labelled identifiers', () => {
		expect(found('number 4111 1111 1111 1112')).toEqual([]);
		expect(found('loyalty 9111 1111 1111 1111')).toEqual([]);
		expect(found('Order #4111 1111 1111 1111 shipped')).toEqual([]);
		expect(found('Invoice no. 536-22-1234 attached')).toEqual([]);
		expect(found('Tracking: 4155552671')).toEqual([]);
	});

	it('takes the card out of a longer run of groups', () => {
		expect(found('qty 2 4111 1111 1111 1111')).toEqual([['card', '4111 1111 1111 1111']]);
	});

	it('reports bare 9-digit numbers only with a context word, as the nearest word says', () => {
		expect(found('reference 536221234')).toEqual([]);
		expect(found('my ssn is 536221234')).toEqual([['ssn', '536221234']]);
		expect(found('routing 021000021')).toEqual([['routing', '021000021']]);
		expect(found('ssn on file; routing number 021000021')).toEqual([['routing', '021000021']]);
	});

	it('reports date of birth, CVV and expiry only after a context word', () => {
		expect(found('appointment on 03/15/1985')).toEqual([]);
		expect(found('date of birth 03/15/1985')).toEqual([['dob', '03/15/1985']]);
		expect(found('promo code 123')).toEqual([]);
		expect(found('CVV: 123')).toEqual([['cvv', '123']]);
		expect(found('due 12/27')).toEqual([]);
		expect(found('expires 12/27')).toEqual([['cardExpiry', '12/27']]);
	});

	it('validates phones with libphonenumber and honours the default country', () => {
		expect(found('call (415) 555-2671')).toEqual([['phone', '(415) 555-2671']]);
		expect(found('call 123-456-7890')).toEqual([]);
		expect(found('ring 020 7946 0958', { defaultCountry: 'GB' })).toEqual([['phone', '020 7946 0958']]);
		expect(found('ring 020 7946 0958')).toEqual([]);
	});

	it.each([
		['call 1-800-555-0199 now', [['phone', '1-800-555-0199']]],
		['ring +1 (415) 555-2671.', [['phone', '+1 (415) 555-2671']]],
		['tel. 212 555 0147 ext 12', [['phone', '212 555 0147']]],
		['+442079460958', [['phone', '+442079460958']]],
		['(555) 123-4567', []], // 555 is not an area code in service
		['Amex 3782-822463-10005!', [['card', '3782-822463-10005']]],
		['visa:4111111111111111', [['card', '4111111111111111']]],
		['Order 5500 0000 0000 0004 and my card 4111 1111 1111 1111', [['card', '4111 1111 1111 1111']]],
		['email: John.Smith@Sub.Example-Corp.com.', [['email', 'John.Smith@Sub.Example-Corp.com']]],
		['wire to acct, routing # 021000021', [['routing', '021000021']]],
		['ssn#536-22-1234', [['ssn', '536-22-1234']]],
		['her SSN is 536 22 1234', [['ssn', '536 22 1234']]],
		['Born 3rd March 1985', [['dob', '3rd March 1985']]],
		['IP: 8.8.8.8,', [['ipv4', '8.8.8.8']]],
		['token abc123def456ghi789', []],
	])('hand-written: %s', (text, expected) => {
		expect(found(text)).toEqual(expected);
	});

	it('looks only for the types asked for', () => {
		expect(found('mail a@example.com, card 4111111111111111', { types: ['email'] })).toEqual([['email', 'a@example.com']]);
	});

	it('reads spoken digits only when asked, with spans on the words', () => {
		const text = 'my card is four one one one, one one one one, one one one one, one one one one, thanks';
		expect(found(text)).toEqual([]);
		expect(found(text, { spokenNumbers: true })).toEqual([
			['card', 'four one one one, one one one one, one one one one, one one one one'],
		]);
		expect(found('social is five three six, two two, double one two three', { spokenNumbers: true })).toEqual([
			['ssn', 'five three six, two two, double one two three'],
		]);
		expect(found('oh well, one or two of them', { spokenNumbers: true })).toEqual([]);
	});

	it('maps spans after a spoken run back to the original text', () => {
		const text = 'number four one five five five five two six seven one, mail me at a@example.com';
		const normalised = normaliseSpokenNumbers(text);
		expect(normalised.text).toBe('number 4155552671, mail me at a@example.com');
		expect(found(text, { spokenNumbers: true })).toEqual([
			['phone', 'four one five five five five two six seven one'],
			['email', 'a@example.com'],
		]);
	});

	describe('formats beyond the defaults (issue 17)', () => {
		const scored = (text: string, options = {}) =>
			scanForPii(text, { currentYear: 2026, ...options }).map((finding) => [finding.type, text.slice(...finding.span), finding.score]);

		it('takes an IPv6 address with an embedded IPv4 part whole, and a CIDR suffix with its address', () => {
			expect(found('from ::ffff:192.0.2.1 and 64:ff9b::198.51.100.1.')).toEqual([
				['ipv6', '::ffff:192.0.2.1'],
				['ipv6', '64:ff9b::198.51.100.1'],
			]);
			expect(found('nets 10.0.0.0/8, fe80::/10 and 2001:db8::/32')).toEqual([
				['ipv4', '10.0.0.0/8'],
				['ipv6', 'fe80::/10'],
				['ipv6', '2001:db8::/32'],
			]);
			// A prefix longer than the address is no CIDR block, and then no address either.
			expect(found('range 10.0.0.0/33 or 2001:db8::/129')).toEqual([]);
			expect(found('http://10.0.0.1/admin')).toEqual([['ipv4', '10.0.0.1']]);
		});

		it('reads national phone formats of the candidate countries only, the default country first', () => {
			const text = 'JP 090-1234-5678, IL 09-876-5432, CN 138 0013 8000, IN 91-98765-43210';
			expect(found(text)).toEqual([]);
			expect(found(text, { phoneCountries: ['JP', 'IL', 'CN', 'IN'] })).toEqual([
				['phone', '090-1234-5678'],
				['phone', '09-876-5432'],
				['phone', '138 0013 8000'],
				['phone', '91-98765-43210'],
			]);
			expect(found('ring 020 7946 0958', { phoneCountries: ['GB'] })).toEqual([['phone', '020 7946 0958']]);
		});

		it('needs the trunk prefix a candidate country writes, and keeps US numbers as they were', () => {
			expect(found('ring 20 7946 0958', { phoneCountries: ['GB'] })).toEqual([]);
			expect(found('Handy 151 23456789', { phoneCountries: ['DE'] })).toEqual([]);
			expect(found('Handy 0151 23456789', { phoneCountries: ['DE'] })).toEqual([['phone', '0151 23456789']]);
			expect(found('call (415) 555-2671', { phoneCountries: ['GB', 'DE'] })).toEqual([['phone', '(415) 555-2671']]);
		});

		it('finds a phone number after a neighbouring number in the same run', () => {
			expect(found('qty 2 4155552671')).toEqual([['phone', '4155552671']]);
			expect(found('IN 91 9876543210', { phoneCountries: ['IN'] })).toEqual([['phone', '91 9876543210']]);
		});

		it('reads SSNs with dots or one dash after a context word, and never without SSA-valid digits', () => {
			expect(found('SSN 536.22.1234, ssn 53622-1234, SSN 536-221234')).toEqual([
				['ssn', '536.22.1234'],
				['ssn', '53622-1234'],
				['ssn', '536-221234'],
			]);
			expect(found('SSN 666.22.1234 or ssn 536-22.1234')).toEqual([]);
			expect(found('ZIP 53622-1234')).toEqual([]);
		});

		it('reads IBANs with dashes and from the countries that joined the registry since 2021', () => {
			expect(found('IBAN DE89-3704-0044-0532-0130-00.')).toEqual([['iban', 'DE89-3704-0044-0532-0130-00']]);
			expect(found('RU0304452522540817810538091310419 and LY83 0020 4800 0020 1001 2036 1')).toEqual([
				['iban', 'RU0304452522540817810538091310419'],
				['iban', 'LY83 0020 4800 0020 1001 2036 1'],
			]);
			// A mistyped IBAN is not a card, even when 16 of its digits pass Luhn.
			expect(found('IBAN LC76 NXAD 3689 8320 2462 8149 9663 3279')).toEqual([]);
			expect(found('IBAN AD84 4917 4603 0858 1826 4214 was rejected')).toEqual([]);
			expect(found('flight LH45 4111 1111 1111 1111')).toEqual([['card', '4111 1111 1111 1111']]);
		});

		it('reads e-mail on internationalised domains in either form, and refuses A-labels that do not decode', () => {
			expect(found('mail info@xn--bcher-kva.de or müller@bücher.de or a@xn--e1afmkfd.xn--p1ai')).toEqual([
				['email', 'info@xn--bcher-kva.de'],
				['email', 'müller@bücher.de'],
				['email', 'a@xn--e1afmkfd.xn--p1ai'],
			]);
			expect(found('mail a@xn--zz.com or b@xn--.de or c@example.xn--a')).toEqual([]);
		});

		it('reads 15-digit UATP cards', () => {
			expect(found('UATP 1220 00000 000003.')).toEqual([['card', '1220 00000 000003']]);
			expect(found('UATP 1220 00000 000004.')).toEqual([]);
		});

		it('scores each finding by its evidence and reports weak shapes only below the default minimum', () => {
			expect(scored('card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00')).toEqual([
				['card', '4111 1111 1111 1111', 0.95],
				['iban', 'DE89 3704 0044 0532 0130 00', 0.98],
			]);
			// A context word adds to a national number; a "+" number needs none.
			expect(scored('(415) 555-2671; call (415) 555-2671; +1 415 555 2671')).toEqual([
				['phone', '(415) 555-2671', 0.8],
				['phone', '(415) 555-2671', 0.9],
				['phone', '+1 415 555 2671', 0.9],
			]);
			expect(scored('09-876-5432', { phoneCountries: ['IL'] })).toEqual([['phone', '09-876-5432', 0.7]]);
			// Nine bare digits: with a context word a finding; without, weak (ABA checksum) or weakest (SSA rules).
			expect(scored('routing 021000021')).toEqual([['routing', '021000021', 0.85]]);
			expect(scored('number 021000021')).toEqual([]);
			expect(scored('number 021000021', { minConfidence: 0.3 })).toEqual([['routing', '021000021', 0.35]]);
			expect(scored('number 536221234', { minConfidence: 0.3 })).toEqual([]);
			expect(scored('number 536221234', { minConfidence: 0.1 })).toEqual([['ssn', '536221234', 0.15]]);
			expect(scored('number 536.22.1234', { minConfidence: 0 })).toEqual([['ssn', '536.22.1234', 0.3]]);
			// A labelled identifier stays unreported at any minimum.
			expect(scored('Invoice no. 021000021', { minConfidence: 0 })).toEqual([]);
		});

		it('drops weak findings before overlaps are resolved, so they never hide a stronger one', () => {
			expect(found('SSN 536-22-1234 and 021000021', { minConfidence: 0.5 })).toEqual([['ssn', '536-22-1234']]);
		});
	});
});
