/**
 * A number parameter of the gate, checked against its range with an error that names it and the
 * value it got: "Override Rate Limit (%) must be a number from 0 to 100 (got 150)".
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

export interface NumberParameter {
	name: string;
	label: string;
	min: number;
	max: number;
	fallback: number;
	/** What to change, shown under the error. */
	description?: string;
}

export function numberParameter(context: IExecuteFunctions, itemIndex: number, parameter: NumberParameter): number {
	const value = Number(context.getNodeParameter(parameter.name, itemIndex, parameter.fallback));
	if (!Number.isFinite(value) || value < parameter.min || value > parameter.max) {
		throw new NodeOperationError(
			context.getNode(),
			`${parameter.label} must be a number from ${parameter.min} to ${parameter.max} (got ${String(value)})`,
			{ itemIndex, description: parameter.description },
		);
	}
	return value;
}
