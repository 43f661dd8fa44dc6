/**
 * Reading a node's number parameters and checking their range, the same way in every node: the
 * error names the parameter as the panel shows it, the range and the value it got, and its
 * `description` says what to change. The panel's own min/max cannot stop a value that comes from
 * an expression, so the shell checks again before the value reaches the core.
 */
import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';

export interface NumberSpec {
	/** The parameter's name as the node panel shows it, e.g. "Last Days" or "Options → Timeout". */
	label: string;
	/** Inclusive bounds. */
	min?: number;
	max?: number;
	/** Exclusive bounds: the value must be above / below these. */
	above?: number;
	below?: number;
	integer?: boolean;
	/** What to change, shown under the error. */
	description: string;
}

/** The range in words: "between 0 and 1", "a number of at least 1", "a number more than 0 and less than 1". */
export function rangeText(spec: NumberSpec): string {
	if (spec.min !== undefined && spec.max !== undefined) return `${spec.integer ? 'a whole number ' : ''}between ${spec.min} and ${spec.max}`;
	const kind = spec.integer ? 'a whole number' : 'a number';
	const bounds = [
		spec.min !== undefined && `at least ${spec.min}`,
		spec.above !== undefined && `more than ${spec.above}`,
		spec.max !== undefined && `at most ${spec.max}`,
		spec.below !== undefined && `less than ${spec.below}`,
	].filter(Boolean);
	return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

function inRange(value: number, spec: NumberSpec): boolean {
	return (
		Number.isFinite(value) &&
		(!spec.integer || Number.isInteger(value)) &&
		(spec.min === undefined || value >= spec.min) &&
		(spec.max === undefined || value <= spec.max) &&
		(spec.above === undefined || value > spec.above) &&
		(spec.below === undefined || value < spec.below)
	);
}

/**
 * A value already read (say, from an Options collection) as a number in its range, or a
 * NodeOperationError for the item that names the parameter and says what to change. The node may
 * be given as a function: n8n's `getNode()` copies the whole node, so it is called only for an error.
 */
export function checkedNumber(node: INode | (() => INode), raw: unknown, spec: NumberSpec, itemIndex: number): number {
	const value = typeof raw === 'string' && raw.trim() === '' ? Number.NaN : Number(raw);
	if (!inRange(value, spec)) {
		const shown = typeof raw === 'string' ? `"${raw}"` : String(raw);
		throw new NodeOperationError(typeof node === 'function' ? node() : node, `${spec.label} must be ${rangeText(spec)} (got ${shown})`, {
			itemIndex,
			description: spec.description,
		});
	}
	return value;
}

/** A top-level number parameter of the node, read for one item and checked against its range. */
export function numberParameter(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback: number,
	spec: NumberSpec,
): number {
	return checkedNumber(() => context.getNode(), context.getNodeParameter(name, itemIndex, fallback), spec, itemIndex);
}
