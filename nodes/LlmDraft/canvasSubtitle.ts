/**
 * An expression for the canvas subtitle that shows one parameter as saved: `$rawParameter`, because
 * n8n already unwraps a resource locator (`{ __rl, mode, value }`) to its value there, and a value
 * that is itself an expression cannot be resolved on the canvas, which has no item to read.
 */
function shownParameter(name: string, label: string, whenEmpty: string): string {
	const raw = `String($rawParameter.${name} ?? "").trim()`;
	return `(${raw}.startsWith("=") ? "${label} from expression" : ${raw} || "${whenEmpty}")`;
}

/**
 * The canvas line under the node: the model and the confidence method. The model is a resource
 * locator, in older saved workflows a plain string; either may hold an expression or be empty (a
 * node not set up yet). The method is missing from a node saved with its default.
 */
export const LLM_DRAFT_SUBTITLE = `={{ ${shownParameter('model', 'model', 'no model chosen')} + " · " + ${shownParameter('confidenceMethod', 'method', 'verbalized')} }}`;
