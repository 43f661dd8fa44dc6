/**
 * Redaction: replaces PII findings (and matches of pattern rules marked `redact`) in the text,
 * either with a typed placeholder (`[CARD]`, `[EMAIL]`) or with the masked preview
 * (`**** **** **** 1111`), so the reply can still go out without the personal data in it.
 */
import { typedPlaceholder } from './maskPii';
import type { PiiFinding } from './piiTypes';

export type RedactionStyle = 'placeholder' | 'mask';

export interface Redactable {
	span: [number, number];
	/** The placeholder type, e.g. `card` → `[CARD]`. */
	type: string;
	/** What to write in mask style; a placeholder is used when absent. */
	mask?: string;
}

export function redactablesFromPii(findings: readonly PiiFinding[]): Redactable[] {
	return findings.map((finding) => ({ span: finding.span, type: finding.type, mask: finding.preview }));
}

/**
 * Returns `text` with every redactable replaced. Overlapping spans are merged into the first, so
 * no fragment of a value survives between two replacements. Built in one left-to-right pass.
 */
export function redactText(text: string, redactables: readonly Redactable[], style: RedactionStyle): string {
	if (redactables.length === 0) return text;
	const sorted = [...redactables].sort((a, b) => a.span[0] - b.span[0] || b.span[1] - a.span[1]);
	const parts: string[] = [];
	let cursor = 0;
	for (const { span, type, mask } of sorted) {
		const [start, end] = span;
		if (end <= cursor) continue;
		if (start < cursor) {
			// Overlaps the previous replacement: swallow the rest of it.
			cursor = end;
			continue;
		}
		parts.push(text.slice(cursor, start), style === 'mask' && mask !== undefined ? mask : typedPlaceholder(type));
		cursor = end;
	}
	parts.push(text.slice(cursor));
	return parts.join('');
}
