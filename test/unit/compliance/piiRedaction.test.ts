/**
 * Redaction never leaves a fragment: after Check and Redact, no digit group (and, for IPv6, no hex
 * group) of a labelled PII value is left in the text — a span that stops short (`2001:db8::192` of
 * `2001:db8::192.168.1.1`) leaves `.168.1.1` readable, and this test finds it.
 */
import { redactablesFromPii, redactText } from '../../../nodes/ComplianceCheck/redactText';
import { scanForPii, type PiiScanOptions } from '../../../nodes/ComplianceCheck/scanForPii';
import { loadCorpus, type CorpusMessage } from '../../fixtures/compliance/scorePiiFindings';

/** The groups a redaction must not leave: hex groups for IPv6, digit groups for everything else. */
function groupsOf(type: string, value: string): string[] {
	return value.match(type === 'ipv6' ? /[0-9A-Fa-f]+/g : /\d+/g) ?? [];
}

/** How often `group` stands alone (not inside a longer run of letters or digits) in `text`. */
function standaloneCount(text: string, group: string): number {
	return text.match(new RegExp(`(?<![0-9A-Za-z])${group}(?![0-9A-Za-z])`, 'g'))?.length ?? 0;
}

/**
 * The value groups still readable after redaction beyond those the rest of the message holds
 * anyway (a "0" of `10.0.0.0/8` may also be a quantity elsewhere in the text).
 */
function survivingGroups(message: CorpusMessage, redacted: string): string[] {
	let outside = '';
	let cursor = 0;
	for (const { span } of [...message.pii].sort((a, b) => a.span[0] - b.span[0])) {
		outside += message.text.slice(cursor, span[0]) + ' ';
		cursor = Math.max(cursor, span[1]);
	}
	outside += message.text.slice(cursor);
	const surviving: string[] = [];
	for (const { type, span } of message.pii) {
		for (const group of groupsOf(type, message.text.slice(...span))) {
			if (standaloneCount(redacted, group) > standaloneCount(outside, group)) surviving.push(`${type} ${group}`);
		}
	}
	return surviving;
}

function redact(message: CorpusMessage): string {
	const findings = scanForPii(message.text, { currentYear: 2026, ...(message.options as PiiScanOptions | undefined) });
	return redactText(message.text, redactablesFromPii(findings), 'placeholder');
}

describe('redaction leaves no fragment of a found value', () => {
	it('takes an IPv6 address with an embedded IPv4 part, and a CIDR suffix, whole', () => {
		expect(redactText('from 2001:db8::192.168.1.1 today', redactablesFromPii(scanForPii('from 2001:db8::192.168.1.1 today')), 'placeholder')).toBe(
			'from [IPV6] today',
		);
		expect(redactText('block 10.0.0.0/8 now', redactablesFromPii(scanForPii('block 10.0.0.0/8 now')), 'placeholder')).toBe('block [IPV4] now');
		expect(redactText('IBAN DE89-3704-0044-0532-0130-00.', redactablesFromPii(scanForPii('IBAN DE89-3704-0044-0532-0130-00.')), 'placeholder')).toBe(
			'IBAN [IBAN].',
		);
	});

	it.each([
		['the formats corpus', 'formatsCorpus.json'],
		['the main corpus', 'corpus.json'],
	] as const)('on %s, no digit or hex group of a labelled value survives', (_, file) => {
		const corpus = loadCorpus(file).filter((message) => message.pii.length > 0);
		const leaks = corpus.flatMap((message) => survivingGroups(message, redact(message)).map((group) => `${message.id}: ${group}`));
		expect(corpus.length).toBeGreaterThan(250);
		expect(leaks).toEqual([]);
	});
});
