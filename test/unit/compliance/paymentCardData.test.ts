import { scanForPii } from '../../../nodes/ComplianceCheck/scanForPii';
import { findCardNumbers, maskCardData, maskCardDataDeep } from '../../../nodes/shared/paymentCardData';

const CARDS = ['4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '3782 822463 10005', '6011111111111117', '5555555555554444'];

describe('maskCardData (PCI DSS: at most the last four digits, no security code)', () => {
	it.each(CARDS)('masks %s to its last four digits, keeping the layout', (card) => {
		const masked = maskCardData(`Please charge ${card} today.`);
		expect(masked).toHaveLength(`Please charge ${card} today.`.length);
		// The sentence has no other digits: what is left of the card is its last four.
		expect(masked.replace(/\D/g, '')).toBe(card.replace(/\D/g, '').slice(-4));
		expect(masked.startsWith('Please charge *')).toBe(true);
	});

	it('masks a security code whole, and a card number after an identifier label too', () => {
		expect(maskCardData('card 4111 1111 1111 1111, CVV 123, exp 12/27')).toBe('card **** **** **** 1111, CVV ***, exp 12/27');
		expect(maskCardData('my security code is 1234')).toBe('my security code is ****');
		// The Compliance Check does not report this one (our own identifiers); the page still masks it.
		expect(scanForPii('Order #4111 1111 1111 1111')).toEqual([]);
		expect(maskCardData('Order #4111 1111 1111 1111')).toBe('Order #**** **** **** 1111');
	});

	it('leaves numbers that are not cards, and is idempotent', () => {
		for (const text of ['order A-7, qty 3', 'call (415) 555-2671', 'number 4111 1111 1111 1112', 'promo code 123', '1764640000000']) {
			expect(maskCardData(text)).toBe(text);
		}
		const once = maskCardData('4111111111111111 cvc: 999');
		expect(maskCardData(once)).toBe(once);
	});

	it('finds exactly the cards the Compliance Check reports (one recognizer)', () => {
		const text = `a ${CARDS.join(' and ')} b, qty 2 4111 1111 1111 1111`;
		const fromScanner = scanForPii(text, { types: ['card'] }).map((finding) => finding.span);
		expect(findCardNumbers(text)).toEqual(fromScanner);
	});

	it('masks every string inside data, keys and non-strings untouched, and returns unchanged data as is', () => {
		const data = { inputText: 'card 4111111111111111', n: 4111111111111111, list: ['cvv 321', { comment: 'ok' }], clean: { a: 'b' } };
		const masked = maskCardDataDeep(data);
		expect(masked).toEqual({ inputText: 'card ************1111', n: 4111111111111111, list: ['cvv ***', { comment: 'ok' }], clean: { a: 'b' } });
		expect(masked.clean).toBe(data.clean);
		expect(data.inputText).toBe('card 4111111111111111');
		const clean = { a: ['x', { b: 'y' }] };
		expect(maskCardDataDeep(clean)).toBe(clean);
	});
});
