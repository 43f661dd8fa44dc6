/**
 * Throughput and accuracy of the Compliance Check's PII check against n8n's Guardrails PII check,
 * in one run, on the same messages: 10,000 messages (the 500-message labelled corpus, repeated),
 * timed for both; precision and recall on the labelled corpus for both. See README.md beside this.
 *
 * Guardrails is n8n 2.40.7's own code (`@n8n/n8n-nodes-langchain`, Guardrails node,
 * actions/checks/pii.js): we call its exported `createPiiCheckFn` with its default configuration
 * (all entity types), exactly what the node calls per item.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { buildRulesDocument } from '../../nodes/ComplianceCheck/buildRulesDocument';
import { checkText, compileRuleset, type CompiledRuleset } from '../../nodes/ComplianceCheck/checkCompliance';
import { parsePhoneCountries } from '../../nodes/ComplianceCheck/phoneCountries';
import { PII_TYPES, VALIDATED_PII_TYPES } from '../../nodes/ComplianceCheck/piiTypes';
import { RULE_PACK_NAMES } from '../../nodes/ComplianceCheck/rulePacks';
import {
	formatScoreTable,
	loadCorpus,
	scoreFindings,
	type CorpusMessage,
	type CorpusSpan,
	type TypeScore,
} from '../../test/fixtures/compliance/scorePiiFindings';

const args = new Map(
	process.argv.slice(2).map((arg) => {
		const [key, value] = arg.replace(/^--/, '').split('=');
		return [key, value ?? 'true'] as const;
	}),
);
const MESSAGES = Number(args.get('messages') ?? 10_000);
/** Guardrails runs at ~100 messages/s; `--guardrails-messages=1000` shortens a local run. */
const GUARDRAILS_MESSAGES = Number(args.get('guardrails-messages') ?? MESSAGES);

const N8N_MODULES =
	process.env.N8N_MODULES ??
	join(process.env.HITL_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-hitl'), 'n8n-2.40.7', 'node_modules');
const GUARDRAILS_PII = join(N8N_MODULES, '@n8n', 'n8n-nodes-langchain', 'dist', 'nodes', 'Guardrails', 'actions', 'checks', 'pii.js');

interface GuardrailsResult {
	tripwireTriggered: boolean;
	info: { analyzerResults: { entityType: string; text: string }[] };
}
type GuardrailsCheck = (input: string) => GuardrailsResult;

/** Their entity types mapped onto ours where one means the other; the rest count as their own type. */
const GUARDRAILS_TYPE: Readonly<Record<string, string>> = {
	CREDIT_CARD: 'card',
	EMAIL_ADDRESS: 'email',
	PHONE_NUMBER: 'phone',
	US_SSN: 'ssn',
	US_ITIN: 'ssn',
	IBAN_CODE: 'iban',
	IP_ADDRESS: 'ipv4',
	US_BANK_NUMBER: 'routing',
	DATE_TIME: 'dob',
};

function loadGuardrails(): GuardrailsCheck {
	if (!existsSync(GUARDRAILS_PII)) {
		throw new Error(
			`n8n's Guardrails PII check was not found at ${GUARDRAILS_PII}. Install n8n 2.40.7 (scripts/ensure-n8n.sh) or set N8N_MODULES to its node_modules.`,
		);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- loading n8n's compiled CommonJS from its install
	const module = require(GUARDRAILS_PII) as { createPiiCheckFn: (config: object) => GuardrailsCheck };
	const check = module.createPiiCheckFn({});
	// n8n's safeRegex stops each pattern after 250 ms and throws; the Guardrails node then fails
	// the item. Seen on ordinary messages when the machine is loaded (its LOCATION pattern is
	// polynomial), so we count those and go on, scoring the message as "no findings".
	return (input) => {
		try {
			return check(input);
		} catch (error) {
			if (!/timed out/i.test((error as Error).message)) throw error;
			guardrailsTimeouts++;
			return { tripwireTriggered: false, info: { analyzerResults: [] } };
		}
	};
}

let guardrailsTimeouts = 0;

/** Guardrails reports matched text without offsets; we find each in order to score it. */
function guardrailsSpans(text: string, result: GuardrailsResult): CorpusSpan[] {
	const cursor = new Map<string, number>();
	const spans: CorpusSpan[] = [];
	for (const { entityType, text: value } of result.info.analyzerResults) {
		const from = cursor.get(entityType) ?? 0;
		const start = text.indexOf(value, from);
		if (start < 0) continue;
		cursor.set(entityType, start + Math.max(1, value.length));
		// Its IP_ADDRESS covers both families; an address with a colon is an IPv6 one.
		const type = entityType === 'IP_ADDRESS' && value.includes(':') ? 'ipv6' : (GUARDRAILS_TYPE[entityType] ?? entityType);
		spans.push({ type, span: [start, start + value.length] });
	}
	return spans;
}

/** Type-blind scoring: a finding is right if it overlaps any labelled PII; the most lenient reading. */
function anyPiiScore(corpus: CorpusMessage[], predictions: CorpusSpan[][]): TypeScore {
	const blind = (spans: CorpusSpan[]) => spans.map((s) => ({ type: 'pii', span: s.span }));
	const result = scoreFindings(
		corpus.map((message) => ({ ...message, pii: blind(message.pii) })),
		predictions.map(blind),
		'overlap',
	);
	return { ...result.overall, type: 'any PII' };
}

interface Timing {
	messages: number;
	bytes: number;
	wallSeconds: number;
	/** User + system CPU of the whole process (Guardrails' vm watchdog threads included). */
	cpuSeconds: number;
}

const newTiming = (): Timing => ({ messages: 0, bytes: 0, wallSeconds: 0, cpuSeconds: 0 });

function timeChunk(run: (text: string) => unknown, texts: string[], into: Timing): void {
	const cpuBefore = process.cpuUsage();
	const started = process.hrtime.bigint();
	for (const text of texts) run(text);
	into.wallSeconds += Number(process.hrtime.bigint() - started) / 1e9;
	const cpu = process.cpuUsage(cpuBefore);
	into.cpuSeconds += (cpu.user + cpu.system) / 1e6;
	into.messages += texts.length;
	into.bytes += texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
}

/**
 * Times the contenders chunk by chunk, in turn, so that both see the same machine load (a shared
 * machine's load shifts over the minutes Guardrails needs; timing one side after the other would
 * compare different conditions).
 */
function timeInterleaved(contenders: { run: (text: string) => unknown; limit: number }[], texts: string[], chunk = 250): Timing[] {
	const timings = contenders.map(newTiming);
	for (let from = 0; from < texts.length; from += chunk) {
		contenders.forEach((contender, index) => {
			const end = Math.min(from + chunk, contender.limit);
			if (end > from) timeChunk(contender.run, texts.slice(from, end), timings[index]);
		});
	}
	return timings;
}

const perSecond = (t: Timing) => ({
	wallMessages: t.messages / t.wallSeconds,
	cpuMessages: t.messages / t.cpuSeconds,
	wallMegabytes: t.bytes / 1e6 / t.wallSeconds,
	cpuMegabytes: t.bytes / 1e6 / t.cpuSeconds,
});

function main(): void {
	const corpus = loadCorpus();
	const texts = Array.from({ length: MESSAGES }, (_, index) => corpus[index % corpus.length].text);
	const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0) / 1e6;

	// Our node's check with its default settings (every PII type), and with every pack on as well.
	const defaults = {
		piiTypes: [...PII_TYPES],
		piiSeverity: 'review' as const,
		rulePacks: [],
		disclosures: [],
		prohibitedPhrases: '',
		prohibited: { allow: '', maxEdits: 1, severity: 'block' as const, message: '' },
		patterns: [],
		rulesJson: '',
		rulesetVersion: 'bench',
	};
	const ours = compileRuleset(buildRulesDocument(defaults), { currentYear: 2026 });
	const oursAllPacks = compileRuleset(buildRulesDocument({ ...defaults, rulePacks: RULE_PACK_NAMES }), { currentYear: 2026 });
	const item = { channel: 'email', firstContact: false };
	const guardrails = loadGuardrails();

	// Warm up both (JIT, lazy metadata), then time.
	for (const text of corpus.map((m) => m.text)) {
		checkText(ours, text, item);
		checkText(oursAllPacks, text, item);
	}
	for (const text of corpus.slice(0, 50).map((m) => m.text)) guardrails(text);

	const [oursTiming, oursPacksTiming, guardrailsTiming] = timeInterleaved(
		[
			{ run: (text) => checkText(ours, text, item), limit: texts.length },
			{ run: (text) => checkText(oursAllPacks, text, item), limit: texts.length },
			{ run: guardrails, limit: GUARDRAILS_MESSAGES },
		],
		texts,
	);

	// Accuracy on the labelled corpus (each message once).
	const oursPredictions = corpus.map((message) =>
		checkText(ours, message.text, item).piiFindings.map((finding) => ({ type: finding.type, span: finding.span })),
	);
	const theirPredictions = corpus.map((message) => guardrailsSpans(message.text, guardrails(message.text)));
	const oursExact = scoreFindings(corpus, oursPredictions, 'exact');
	const theirsOverlap = scoreFindings(corpus, theirPredictions, 'overlap');

	// The formats corpus: each message with its own options (candidate phone countries, minimum
	// confidence), which Guardrails has no equivalent of; it runs with its defaults.
	const formats = loadCorpus('formatsCorpus.json');
	const rulesets = new Map<string, CompiledRuleset>();
	const oursFor = (options: CorpusMessage['options'] = {}) => {
		const key = JSON.stringify(options);
		let ruleset = rulesets.get(key);
		if (!ruleset) {
			ruleset = compileRuleset(buildRulesDocument(defaults), {
				currentYear: 2026,
				phoneCountries: parsePhoneCountries((options.phoneCountries ?? []).join(',')).countries,
				minConfidence: options.minConfidence,
			});
			rulesets.set(key, ruleset);
		}
		return ruleset;
	};
	const oursFormats = scoreFindings(
		formats,
		formats.map((message) =>
			checkText(oursFor(message.options), message.text, item).piiFindings.map((finding) => ({ type: finding.type, span: finding.span })),
		),
		'exact',
	);
	const theirsFormats = scoreFindings(
		formats,
		formats.map((message) => guardrailsSpans(message.text, guardrails(message.text))),
		'overlap',
	);

	const line = (label: string, t: Timing) => {
		const rate = perSecond(t);
		return (
			`${label.padEnd(44)} ${String(t.messages).padStart(6)} msgs ${t.wallSeconds.toFixed(2).padStart(7)} s wall ` +
			`${rate.wallMessages.toFixed(0).padStart(7)} msgs/s ${rate.wallMegabytes.toFixed(3).padStart(7)} MB/s | ` +
			`CPU ${rate.cpuMessages.toFixed(0).padStart(7)} msgs/s ${rate.cpuMegabytes.toFixed(3).padStart(7)} MB/s`
		);
	};
	const ratio = (a: Timing, b: Timing) =>
		`${(perSecond(a).wallMessages / perSecond(b).wallMessages).toFixed(1)}× wall, ` +
		`${(perSecond(a).cpuMessages / perSecond(b).cpuMessages).toFixed(1)}× CPU`;

	const out: string[] = [];
	out.push(`Compliance Check vs n8n Guardrails PII — ${MESSAGES} messages (${megabytes.toFixed(2)} MB), corpus of ${corpus.length} labelled messages`);
	out.push(`node ${process.version}; Guardrails from ${GUARDRAILS_PII}`);
	out.push('timed in interleaved chunks of 250 messages, so both sides share the machine\'s load');
	out.push('');
	out.push('Throughput');
	out.push(line('ours: PII check (node defaults)', oursTiming));
	out.push(line('ours: PII + all five rule packs', oursPacksTiming));
	out.push(line('n8n Guardrails PII (defaults: all entities)', guardrailsTiming));
	out.push(`Guardrails messages that threw "Regular expression execution timed out": ${guardrailsTimeouts}`);
	out.push(`ratio ours/Guardrails, messages per second: ${ratio(oursTiming, guardrailsTiming)} (all packs on: ${ratio(oursPacksTiming, guardrailsTiming)})`);
	out.push('');
	out.push(formatScoreTable('Ours — per type, exact spans', [...oursExact.byType, oursExact.overall]));
	out.push(`  clean messages flagged: ${oursExact.flaggedCleanMessages}/${oursExact.cleanMessages}`);
	out.push('');
	out.push(formatScoreTable('Guardrails — per type (mapped to ours), any overlap counts', [...theirsOverlap.byType, theirsOverlap.overall]));
	out.push(`  clean messages flagged: ${theirsOverlap.flaggedCleanMessages}/${theirsOverlap.cleanMessages}`);
	out.push('');
	out.push(formatScoreTable(`Ours on the formats corpus (${formats.length} messages, each with its options) — per type, exact spans`, [...oursFormats.byType, oursFormats.overall]));
	out.push(`  clean and hard-negative messages flagged: ${oursFormats.flaggedCleanMessages}/${oursFormats.cleanMessages}`);
	out.push('');
	out.push(formatScoreTable('Guardrails on the formats corpus (its defaults) — per type (mapped to ours), any overlap counts', [...theirsFormats.byType, theirsFormats.overall]));
	out.push(`  clean and hard-negative messages flagged: ${theirsFormats.flaggedCleanMessages}/${theirsFormats.cleanMessages}`);
	out.push('');
	out.push(formatScoreTable('Type-blind (a finding is right if it overlaps any labelled PII)', [
		{ ...anyPiiScore(corpus, oursPredictions), type: 'ours' },
		{ ...anyPiiScore(corpus, theirPredictions), type: 'Guardrails' },
	]));
	const validated = oursExact.byType.filter((score) => (VALIDATED_PII_TYPES as readonly string[]).includes(score.type));
	out.push('');
	out.push(`validated types, ours: min precision ${Math.min(...validated.map((s) => s.precision)).toFixed(3)}, min recall ${Math.min(...validated.map((s) => s.recall)).toFixed(3)}`);
	console.log(out.join('\n'));
}

main();
