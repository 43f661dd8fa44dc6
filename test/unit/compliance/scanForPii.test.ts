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
});
