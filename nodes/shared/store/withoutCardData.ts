import { maskCardDataDeep } from '../paymentCardData';

/**
 * PCI DSS (3.3.1, 3.4.1): the store never keeps a full card number or a card security code,
 * whatever a flow hands it. Every write — decisions, review state, audit entries — passes its
 * values through here, so every text column (and every text inside a JSON column, masked before
 * it is serialised) holds at most a card's last four digits. The row's key fields stay as given,
 * so a later read by key finds the row.
 */
export function withoutCardData<T extends object>(value: T, ...keys: (keyof T)[]): T {
	const masked = maskCardDataDeep(value);
	if (masked === value) return value;
	const copy = { ...masked };
	for (const key of keys) copy[key] = value[key];
	return copy;
}
