/**
 * Built-in rule packs: versioned data in the same shape as a user's rules document, so a pack is
 * reviewed like a document and switched on by name (`pci`) or pinned (`pci@1.0.0`). Bump a pack's
 * version whenever a rule's meaning changes: the version lands in `hitl.compliance.rulesetVersion`
 * of every item it judged.
 *
 * These packs encode common obligations in a form a machine can check; they are a starting point
 * a compliance team reviews, not legal advice.
 */
import type { RuleDefinition } from './rulesDocument';

export interface RulePack {
	name: string;
	version: string;
	title: string;
	description: string;
	rules: RuleDefinition[];
}

const pci: RulePack = {
	name: 'pci',
	version: '1.0.0',
	title: 'Payment card data (PCI DSS)',
	description:
		'PCI DSS forbids storing or sending the full card number (PAN) unmasked, and the card security code at all ' +
		'after authorisation (requirements 3.2, 3.3, 3.4).',
	rules: [
		{
			id: 'pci.card-number',
			kind: 'pii',
			piiTypes: ['card'],
			severity: 'block',
			message: 'Full payment card number in the text',
			fix: 'Remove the number or show only the last four digits (e.g. "card ending 1111").',
		},
		{
			id: 'pci.security-code',
			kind: 'pii',
			piiTypes: ['cvv'],
			severity: 'block',
			message: 'Card security code (CVV/CVC) in the text',
			fix: 'Never repeat or ask for the security code in writing; take payment through the payment page.',
		},
		{
			id: 'pci.expiry',
			kind: 'pii',
			piiTypes: ['cardExpiry'],
			severity: 'review',
			message: 'Card expiry date in the text',
			fix: 'Leave out the expiry date; it is not needed to identify the card.',
		},
	],
};

/** FDCPA §807(11), 15 U.S.C. 1692e(11): the "mini-Miranda" disclosures, and §806/807 threats. */
const fdcpa: RulePack = {
	name: 'fdcpa',
	version: '1.0.0',
	title: 'Debt collection (FDCPA mini-Miranda)',
	description:
		'A debt collector must say, in the initial communication, that it is attempting to collect a debt and that ' +
		'information obtained will be used for that purpose, and in every later communication that it is from a debt ' +
		'collector. Items say which kind they are in a boolean field "firstContact". Threats of arrest, wage ' +
		'garnishment or contacting the employer are prohibited harassment/false representation.',
	rules: [
		{
			id: 'fdcpa.mini-miranda',
			kind: 'disclosure',
			phrases: [
				'this is an attempt to collect a debt and any information obtained will be used for that purpose',
				'this communication is an attempt to collect a debt and any information obtained will be used for that purpose',
			],
			severity: 'block',
			when: [{ field: 'firstContact', equals: true }],
			message: 'First contact about a debt without the mini-Miranda disclosure',
			fix: 'Add: "This is an attempt to collect a debt and any information obtained will be used for that purpose."',
		},
		{
			id: 'fdcpa.collector-notice',
			kind: 'disclosure',
			phrases: ['this communication is from a debt collector', 'this message is from a debt collector'],
			severity: 'block',
			when: [{ field: 'firstContact', notEquals: true }],
			message: 'Follow-up about a debt without saying it is from a debt collector',
			fix: 'Add: "This communication is from a debt collector."',
		},
		{
			id: 'fdcpa.threats',
			kind: 'prohibited',
			phrases: [
				'we will have you arrested',
				'you will be arrested',
				'we will garnish your wages',
				'we will call your employer',
				'we will take your house',
				'you will go to jail',
			],
			maxEdits: 1,
			severity: 'block',
			message: 'Threat a debt collector may not make (FDCPA §806–807)',
			fix: 'Remove the threat; state only actions that are lawful and actually intended.',
		},
	],
};

/** Two-party-consent states and GDPR transparency: say a call is recorded before anything else. */
const callRecording: RulePack = {
	name: 'callRecording',
	version: '1.0.0',
	title: 'Call recording notice',
	description:
		'Calls on a voice channel must announce recording within the first two sentences. Applies to items whose ' +
		'"channel" field is voice, phone or call.',
	rules: [
		{
			id: 'recording.notice',
			kind: 'disclosure',
			pattern: '\\b(?:this|the|your) call (?:may|will|is going to|might) be (?:monitored (?:and|or) )?recorded\\b|\\bthis call is being (?:monitored (?:and|or) )?recorded\\b',
			flags: 'i',
			withinSentences: 2,
			severity: 'block',
			when: [{ field: 'channel', in: ['voice', 'phone', 'call'] }],
			message: 'Call recording notice missing from the start of the call',
			fix: 'Open with: "This call may be recorded for quality and training purposes."',
		},
	],
};

/** SEC/FINRA Rule 2210 and FCA COBS 4: no promises of returns or of no risk. */
const financialPromises: RulePack = {
	name: 'financialPromises',
	version: '1.0.0',
	title: 'Financial promises',
	description:
		'Communications about investments or credit must be fair and balanced: no guaranteed returns, no "risk-free", ' +
		'no promises to multiply money (FINRA Rule 2210(d)(1), FCA COBS 4.2).',
	rules: [
		{
			id: 'finance.guaranteed-returns',
			kind: 'prohibited',
			phrases: ['guaranteed returns', 'guaranteed return', 'guaranteed profit', 'guaranteed profits', 'guaranteed income'],
			maxEdits: 1,
			severity: 'block',
			message: 'Promise of guaranteed returns',
			fix: 'Describe past or expected performance with its risks; never guarantee a return.',
		},
		{
			id: 'finance.risk-free',
			kind: 'prohibited',
			phrases: ['risk-free', 'risk free', 'no risk', 'zero risk', 'you cannot lose', "you can't lose"],
			maxEdits: 1,
			allow: ['risk-free trial', 'risk free trial', 'no risk trial'],
			severity: 'block',
			message: 'Claim that an investment carries no risk',
			fix: 'State the risks plainly, e.g. "the value of investments can go down as well as up".',
		},
		{
			id: 'finance.double-money',
			kind: 'prohibited',
			phrases: ['double your money', 'triple your money', 'get rich quick'],
			maxEdits: 1,
			severity: 'review',
			message: 'Promise to multiply money',
			fix: 'Remove the promise; give realistic, balanced figures instead.',
		},
	],
};

/** GDPR Art. 4(1) personal data: flag it for review before it goes out, not block. */
const gdpr: RulePack = {
	name: 'gdpr',
	version: '1.0.0',
	title: 'Personal data (GDPR-style)',
	description:
		'Personal data that identifies or contacts a person (GDPR Art. 4(1)), flagged for a person to decide whether ' +
		'sending it is necessary (data minimisation, Art. 5(1)(c)).',
	rules: [
		{
			id: 'gdpr.contact-details',
			kind: 'pii',
			piiTypes: ['email', 'phone'],
			severity: 'review',
			message: 'Contact details of a person in the text',
			fix: 'Remove contact details the recipient does not need.',
		},
		{
			id: 'gdpr.identifiers',
			kind: 'pii',
			piiTypes: ['ssn', 'dob', 'ipv4', 'ipv6'],
			severity: 'review',
			message: 'Personal identifier in the text',
			fix: 'Remove the identifier or redact it before sending.',
		},
		{
			id: 'gdpr.financial',
			kind: 'pii',
			piiTypes: ['iban', 'routing', 'card'],
			severity: 'review',
			message: 'Bank or card details of a person in the text',
			fix: 'Show at most the last four characters.',
		},
	],
};

export const RULE_PACKS: Readonly<Record<string, RulePack>> = { pci, fdcpa, callRecording, financialPromises, gdpr };

export const RULE_PACK_NAMES = Object.keys(RULE_PACKS);

/**
 * The pack a reference names: `pci` for the current version, `pci@1.0.0` pinned. A pinned version we
 * do not ship is an error rather than a silent upgrade, since the rules would differ.
 */
export function resolveRulePack(reference: string): RulePack {
	const [name, version] = reference.trim().split('@');
	const pack = RULE_PACKS[name];
	if (!pack) {
		throw new Error(`Unknown rule pack "${name}". Available packs: ${RULE_PACK_NAMES.join(', ')}`);
	}
	if (version !== undefined && version !== pack.version) {
		throw new Error(`Rule pack "${name}" is at version ${pack.version}; version ${version} is not available`);
	}
	return pack;
}
