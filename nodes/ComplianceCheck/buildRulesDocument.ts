/**
 * Turns the node's form (PII types, packs, disclosures, phrases, patterns) plus an optional JSON
 * rules document into one rules document, so the UI and the JSON go through the same validation
 * and the same engine. Pure: the node shell reads parameters into {@link ComplianceSettings}.
 */
import { createHash } from 'node:crypto';

import type { Severity } from '../shared/itemContract';
import { PII_LABELS, type PiiType } from './piiTypes';
import { parseRulesDocument, rulesDocumentSchema, type RuleDefinition, type VersionedRulesDocument } from './rulesDocument';

export interface DisclosureSetting {
	phrases: string;
	withinSentences: number;
	whenField: string;
	whenEquals: string;
	severity: Severity;
	message: string;
}

export interface PatternSetting {
	id: string;
	pattern: string;
	ignoreCase: boolean;
	severity: Severity;
	message: string;
	redact: boolean;
}

export interface ComplianceSettings {
	piiTypes: PiiType[];
	piiSeverity: Severity;
	rulePacks: string[];
	disclosures: DisclosureSetting[];
	prohibitedPhrases: string;
	prohibited: { allow: string; maxEdits: number; severity: Severity; message: string };
	patterns: PatternSetting[];
	/** The Rules JSON parameter: empty, JSON text, or an already-parsed object. */
	rulesJson: unknown;
	rulesetVersion: string;
}

const lines = (text: string) =>
	text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line.length > 0);

/** Builds and validates the document; errors name the form field or the JSON rule at fault. */
export function buildRulesDocument(settings: ComplianceSettings): VersionedRulesDocument {
	const formRules: RuleDefinition[] = [];
	if (settings.piiTypes.length > 0) {
		formRules.push({
			id: 'pii',
			kind: 'pii',
			piiTypes: settings.piiTypes,
			severity: settings.piiSeverity,
			message: 'Personal data in the text',
			fix: `Remove or redact it (use the Check and Redact operation). Types checked: ${settings.piiTypes.map((t) => PII_LABELS[t]).join(', ')}.`,
		});
	}
	settings.disclosures.forEach((disclosure, index) => {
		const phrases = lines(disclosure.phrases);
		if (phrases.length === 0) {
			throw new Error(`Required Disclosures → entry ${index + 1} has no phrase; add at least one line of wording`);
		}
		formRules.push({
			id: `disclosure-${index + 1}`,
			kind: 'disclosure',
			phrases,
			severity: disclosure.severity,
			message: disclosure.message || 'Required disclosure missing',
			fix: `Add: "${phrases[0]}"`,
			...(disclosure.withinSentences > 0 && { withinSentences: disclosure.withinSentences }),
			...(disclosure.whenField.trim() !== '' && { when: [{ field: disclosure.whenField.trim(), equals: disclosure.whenEquals }] }),
		});
	});
	const prohibited = lines(settings.prohibitedPhrases);
	if (prohibited.length > 0) {
		const allow = lines(settings.prohibited.allow);
		formRules.push({
			id: 'prohibited',
			kind: 'prohibited',
			phrases: prohibited,
			maxEdits: settings.prohibited.maxEdits,
			severity: settings.prohibited.severity,
			message: settings.prohibited.message || 'Prohibited phrase',
			fix: 'Reword the sentence without this phrase.',
			...(allow.length > 0 && { allow }),
		});
	}
	settings.patterns.forEach((pattern, index) => {
		if (pattern.pattern === '') throw new Error(`Custom Patterns → entry ${index + 1} has no regular expression`);
		formRules.push({
			id: pattern.id.trim() || `pattern-${index + 1}`,
			kind: 'pattern',
			pattern: pattern.pattern,
			flags: pattern.ignoreCase ? 'i' : '',
			severity: pattern.severity,
			message: pattern.message || 'Custom pattern matched',
			redact: pattern.redact,
		});
	});

	// Validate the form's rules with the document schema too: a bad form value then reads like a
	// bad JSON rule ("Custom Patterns: rule 2 … → id must be …") instead of failing later.
	const formCheck = rulesDocumentSchema.safeParse({ version: 'form', rules: formRules });
	if (!formCheck.success) parseRulesDocument({ version: 'form', rules: formRules }, 'Node settings');

	const fromJson = isEmptyJson(settings.rulesJson) ? undefined : parseRulesDocument(settings.rulesJson, 'Rules JSON');
	const packs = [...new Set([...settings.rulePacks, ...(fromJson?.packs ?? [])])];
	const rules = [...formRules, ...(fromJson?.rules ?? [])];
	const fingerprint = createHash('sha256').update(JSON.stringify({ packs, rules })).digest('hex').slice(0, 10);
	// The node's option wins over the document's own version; with neither, the fingerprint.
	const version = settings.rulesetVersion.trim() || fromJson?.version || `rules-${fingerprint}`;
	return { version, packs, rules };
}

function isEmptyJson(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value === 'string') return value.trim() === '' || value.trim() === '{}';
	return typeof value === 'object' && Object.keys(value).length === 0;
}
