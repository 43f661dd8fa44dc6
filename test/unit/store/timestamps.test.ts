import { toMs } from '../../../nodes/shared/store/timestamps';
import { seededRandom } from './fixtures/decisions';

describe('toMs', () => {
	test('reads the form toISOString writes as Date.parse does, without calling it', () => {
		const random = seededRandom(42);
		const from = Date.UTC(1900, 0, 1);
		const to = Date.UTC(2200, 0, 1);
		for (let index = 0; index < 20_000; index++) {
			const iso = new Date(Math.floor(from + random() * (to - from))).toISOString();
			expect([iso, toMs(iso)]).toEqual([iso, Date.parse(iso)]);
		}
	});

	test.each([
		'2024-02-29T23:59:59.999Z',
		'2023-02-29T00:00:00.000Z',
		'2026-04-31T00:00:00.000Z',
		'2026-13-01T00:00:00.000Z',
		'2026-02-28T24:00:00.000Z',
		'2026-1a-01T00:00:00.000Z',
		'0099-01-01T00:00:00.000Z',
		'0100-01-01T00:00:00.000Z',
		'2026-01-01T00:00:00Z',
		'2026-01-01',
		'2026-01-01T01:00:00.000+01:00',
		'+002026-01-01T00:00:00.000Z',
		'not a time',
	])('%s: as Date.parse, or null where that is not a number', (iso) => {
		const parsed = Date.parse(iso);
		expect(toMs(iso)).toBe(Number.isFinite(parsed) ? parsed : null);
	});
});
