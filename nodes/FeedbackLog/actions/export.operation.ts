/** Export: the window's decisions as training data (fine-tuning or preference JSONL) or CSV, as one file. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HitlStore } from '../../shared/store';
import { csvHeader, EXPORT_FILES, exportRecords, type ExportFormat } from '../exportRecords';
import { windowFilter } from './analysisWindow';

/** Decisions read from the store per query: bounded memory however large the window. */
const EXPORT_PAGE = 2000;

const show = { show: { operation: ['export'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		default: 'openaiFineTuning',
		options: [
			{
				name: 'OpenAI Fine-Tuning JSONL',
				value: 'openaiFineTuning',
				description: 'Approved and edited replies as chat examples',
			},
			{
				name: 'Preference JSONL',
				value: 'preference',
				description: 'Edited replies: the reviewer\'s text preferred over the draft (OpenAI DPO format)',
			},
			{ name: 'CSV', value: 'csv', description: 'Every decision, one row each' },
		],
		displayOptions: show,
	},
	{
		displayName: 'System Prompt',
		name: 'systemPrompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Optional system message put first in every example',
		displayOptions: { show: { operation: ['export'], format: ['openaiFineTuning', 'preference'] } },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: show,
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'hitl-training.jsonl',
		description: 'Leave empty for hitl-&lt;format&gt;-&lt;date&gt;',
		displayOptions: show,
	},
];

export async function execute(context: IExecuteFunctions, store: HitlStore, itemIndex: number): Promise<INodeExecutionData> {
	const filter = windowFilter(context, itemIndex, new Date());
	const format = context.getNodeParameter('format', itemIndex) as ExportFormat;
	const systemPrompt = format === 'csv' ? '' : String(context.getNodeParameter('systemPrompt', itemIndex, ''));
	const binaryPropertyName = String(context.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim() || 'data';
	const file = EXPORT_FILES[format];
	const fileName =
		String(context.getNodeParameter('fileName', itemIndex, '')).trim() ||
		`hitl-${format}-${new Date().toISOString().slice(0, 10)}.${file.extension}`;

	const parts: string[] = format === 'csv' ? [csvHeader()] : [];
	let rows = 0;
	let included = 0;
	let afterId: string | undefined;
	for (;;) {
		const page = await store.listDecisions(filter, { limit: EXPORT_PAGE, afterId });
		if (!page.length) break;
		const chunk = exportRecords(page, format, { systemPrompt: systemPrompt || undefined });
		parts.push(chunk.content);
		rows += page.length;
		included += chunk.included;
		afterId = page[page.length - 1].id;
	}
	const binary = await context.helpers.prepareBinaryData(Buffer.from(parts.join(''), 'utf8'), fileName, file.mimeType);
	return {
		json: { operation: 'export', format, fileName, decisionsRead: rows, included, skipped: rows - included },
		binary: { [binaryPropertyName]: binary },
	};
}
