/**
 * Training data from what reviewers did (issue #5, "Export"):
 * - OpenAI fine-tuning JSONL: approved and edited replies as chat examples (the text that went out
 *   is the assistant turn);
 * - preference JSONL (OpenAI's DPO format): for edited replies, the reviewer's text preferred over
 *   the model's draft;
 * - CSV of every decision, for spreadsheets.
 * Rows recorded in privacy mode hold hashes, not texts, and rows without the customer's message
 * have no prompt to train on: both are skipped from the JSONL files and counted.
 */
import type { StoredDecision } from '../shared/store/types';

export type ExportFormat = 'openaiFineTuning' | 'preference' | 'csv';

export interface ExportOptions {
	/** Optional system message put first in every chat example. */
	systemPrompt?: string;
}

export interface ExportChunk {
	content: string;
	included: number;
	skipped: number;
}

interface ChatMessage {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

function promptMessages(record: StoredDecision, options: ExportOptions): ChatMessage[] | undefined {
	if (record.textsHashed || !record.inputText) return undefined;
	const messages: ChatMessage[] = [];
	if (options.systemPrompt) messages.push({ role: 'system', content: options.systemPrompt });
	messages.push({ role: 'user', content: record.inputText });
	return messages;
}

function fineTuningLine(record: StoredDecision, options: ExportOptions): string | undefined {
	if (record.decision !== 'approved' && record.decision !== 'edited') return undefined;
	const messages = promptMessages(record, options);
	const reply = record.finalText ?? (record.decision === 'approved' ? record.draftText : null);
	if (!messages || !reply) return undefined;
	return JSON.stringify({ messages: [...messages, { role: 'assistant', content: reply }] });
}

function preferenceLine(record: StoredDecision, options: ExportOptions): string | undefined {
	if (record.decision !== 'edited') return undefined;
	const messages = promptMessages(record, options);
	if (!messages || !record.finalText || !record.draftText || record.finalText === record.draftText) return undefined;
	return JSON.stringify({
		input: { messages },
		preferred_output: [{ role: 'assistant', content: record.finalText }],
		non_preferred_output: [{ role: 'assistant', content: record.draftText }],
	});
}

export const CSV_COLUMNS: readonly (keyof StoredDecision)[] = [
	'id',
	'recordedAt',
	'caseId',
	'workflowId',
	'workflowName',
	'executionId',
	'nodeName',
	'itemIndex',
	'route',
	'decision',
	'confidence',
	'confidenceMethod',
	'model',
	'promptVersion',
	'inputText',
	'draftText',
	'finalText',
	'textsHashed',
	'edited',
	'editDistance',
	'reviewers',
	'reason',
	'comment',
	'ruleIds',
	'sampledForAudit',
	'timeToDecisionMs',
	'promptTokens',
	'completionTokens',
	'costUsd',
	'requestedAt',
	'decidedAt',
];

/**
 * One CSV cell (RFC 4180 quoting). A text starting with = + - @ is prefixed with ' so that a
 * spreadsheet never runs a customer's message as a formula (CSV injection).
 */
export function csvCell(value: unknown): string {
	if (value === null || value === undefined) return '';
	let text: string;
	if (Array.isArray(value)) text = value.every((v) => typeof v === 'string') ? value.join(';') : JSON.stringify(value);
	else if (typeof value === 'object') text = JSON.stringify(value);
	else text = String(value);
	if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
	return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** Formats one page of records; call with successive pages and concatenate (CSV: header first). */
export function exportRecords(records: readonly StoredDecision[], format: ExportFormat, options: ExportOptions = {}): ExportChunk {
	if (format === 'csv') {
		const content = records.map((record) => `${CSV_COLUMNS.map((column) => csvCell(record[column])).join(',')}\r\n`).join('');
		return { content, included: records.length, skipped: 0 };
	}
	const toLine = format === 'openaiFineTuning' ? fineTuningLine : preferenceLine;
	let content = '';
	let included = 0;
	for (const record of records) {
		const line = toLine(record, options);
		if (line === undefined) continue;
		content += `${line}\n`;
		included++;
	}
	return { content, included, skipped: records.length - included };
}

export const EXPORT_FILES: Record<ExportFormat, { extension: string; mimeType: string }> = {
	openaiFineTuning: { extension: 'jsonl', mimeType: 'application/jsonl' },
	preference: { extension: 'jsonl', mimeType: 'application/jsonl' },
	csv: { extension: 'csv', mimeType: 'text/csv' },
};
