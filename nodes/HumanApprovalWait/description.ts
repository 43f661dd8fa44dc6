import type { INodeProperties } from 'n8n-workflow';

/**
 * The node's icons, for every version. n8n resolves an icon's `file:` path against the file it
 * loaded — the wrapper, HumanApprovalWait.node.ts — so the icon files stay beside it, not in v1/.
 */
export const NODE_ICON = { light: 'file:humanApprovalWait.svg', dark: 'file:humanApprovalWait.dark.svg' } as const;

export const DEFAULT_REASONS = 'Wrong or missing information, Tone, Compliance risk, Should not be answered, Other';

export const approvalDescription: INodeProperties[] = [
	{
		displayName:
			'The execution waits here until reviewers answer a web form. Items leave on <b>Approved</b> (also when edited), <b>Rejected</b> or <b>Escalated</b> with the decision in <code>hitl.review</code>. If the time limit passes first, n8n sends the items unchanged to <b>Timed Out</b> (without <code>hitl.review</code>) — connect it. The form\'s address is <code>{{ $execution.resumeUrl }}</code>: earlier nodes can send it themselves when notification is off.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Page Title',
		name: 'title',
		type: 'string',
		default: 'Review the draft reply',
		description: 'Heading of the review page and subject of the notification',
	},
	{
		displayName: 'Instructions',
		name: 'instructions',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'Check the refund amount against the order before approving.',
		description: 'Shown to reviewers above the items',
	},
	{
		displayName: 'Text to Review',
		name: 'draftField',
		type: 'string',
		default: 'hitl.draft.text',
		required: true,
		hint: 'Dot path of the text reviewers approve or edit',
		description: 'The default reads the LLM Draft node\'s draft. An approved (or edited) text is in hitl.review.finalText.',
	},
	{
		displayName: 'Customer Message Field',
		name: 'customerMessageField',
		type: 'string',
		default: 'message',
		hint: 'Dot path of the message being answered; leave empty to hide it',
		description: 'Shown above the draft so the reviewer can judge the reply',
	},
	{
		displayName: 'Context Fields',
		name: 'contextFields',
		type: 'fixedCollection',
		placeholder: 'Add Context Field',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Other fields of the item to show the reviewer, e.g. the customer name or order number',
		options: [
			{
				displayName: 'Field',
				name: 'fields',
				values: [
					{ displayName: 'Label', name: 'label', type: 'string', default: '', placeholder: 'Order' },
					{ displayName: 'Field', name: 'field', type: 'string', default: '', placeholder: 'order.ID', description: 'Dot path on the item' },
				],
			},
		],
	},
	{
		displayName: 'Reasons',
		name: 'reasons',
		type: 'string',
		default: DEFAULT_REASONS,
		hint: 'Comma-separated; reviewers pick one. Leave empty for no reason list.',
		description: 'The reasons a reviewer can give for a decision, recorded in hitl.review.reviewers[].reason',
	},
	{
		displayName: 'Require a Reason to Reject',
		name: 'requireReasonToReject',
		type: 'boolean',
		default: false,
		description: 'Whether a rejection is refused until the reviewer picks a reason',
	},
	{
		displayName: 'Allow Edits',
		name: 'allowEdit',
		type: 'boolean',
		default: true,
		description: 'Whether reviewers may change the text before approving (recorded as "edited")',
	},
	{
		displayName: 'Reviewers',
		name: 'reviewerMode',
		type: 'options',
		default: 'link',
		options: [
			{
				name: 'Anyone With the Link',
				value: 'link',
				description: 'One link for everyone; the page asks for a name. The first answer decides.',
			},
			{
				name: 'Named Reviewers',
				value: 'named',
				description: 'Each reviewer gets a personal signed link; optionally several approvals are needed',
			},
		],
	},
	{
		displayName: 'Reviewer List',
		name: 'reviewers',
		type: 'fixedCollection',
		placeholder: 'Add Reviewer',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { reviewerMode: ['named'] } },
		description: 'The people who may answer; each gets a personal link that identifies them',
		options: [
			{
				displayName: 'Reviewer',
				name: 'reviewer',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'Alex Smith' },
					{
						displayName: 'Email',
						name: 'email',
						type: 'string',
						placeholder: 'name@email.com',
						default: '',
						description: 'Where the personal link is sent (with e-mail notification); also the reviewer\'s ID',
					},
				],
			},
		],
	},
	{
		displayName: 'Approvals Needed',
		name: 'approvalsNeeded',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { reviewerMode: ['named'] } },
		hint: 'Any rejection decides at once. More than 1 needs the HITL store (Record in Store).',
		description: 'How many different reviewers must approve an item',
	},
	{
		displayName: 'Notify Reviewers By',
		name: 'notify',
		type: 'options',
		default: 'email',
		options: [
			{ name: 'E-Mail (SMTP)', value: 'email', description: 'An e-mail with the link to each reviewer' },
			{ name: 'Chat or Webhook', value: 'webhook', description: 'A JSON POST with the link; Slack incoming webhooks work as is' },
			{ name: 'None', value: 'none', description: 'Send {{ $execution.resumeUrl }} yourself in an earlier node' },
		],
	},
	{
		displayName: 'From Email',
		name: 'fromEmail',
		description: 'The sender address of the review e-mails',
		type: 'string',
		default: '',
		placeholder: 'reviews@example.com',
		required: true,
		displayOptions: { show: { notify: ['email'] } },
	},
	{
		displayName: 'To Email',
		name: 'toEmail',
		type: 'string',
		default: '',
		placeholder: 'team@example.com, lead@example.com',
		hint: 'Comma-separated. Named reviewers get their own personal e-mail instead.',
		displayOptions: { show: { notify: ['email'], reviewerMode: ['link'] } },
	},
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://hooks.slack.com/services/…',
		required: true,
		displayOptions: { show: { notify: ['webhook'] } },
		description: 'Receives a POST with {"text": …, "review": {"URL": …, …}}',
	},
	{
		displayName: 'Time Limit',
		name: 'deadlineMode',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None', value: 'none', description: 'Wait until someone answers' },
			{ name: 'After a Time Interval', value: 'afterInterval' },
			{ name: 'At a Date and Time', value: 'atTime' },
		],
		description: 'When unanswered items leave on Timed Out',
	},
	{
		displayName: 'Amount',
		name: 'deadlineAmount',
		description: 'How long reviewers have, counted from when the execution reaches this node',
		type: 'number',
		default: 24,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		displayOptions: { show: { deadlineMode: ['afterInterval'] } },
	},
	{
		displayName: 'Unit',
		name: 'deadlineUnit',
		description: 'The unit of the amount',
		type: 'options',
		default: 'hours',
		options: [
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		displayOptions: { show: { deadlineMode: ['afterInterval'] } },
	},
	{
		displayName: 'Answer By',
		name: 'deadlineAt',
		description: 'The date and time after which unanswered items leave on Timed Out',
		type: 'dateTime',
		default: '',
		displayOptions: { show: { deadlineMode: ['atTime'] } },
	},
	{
		displayName: 'Record in Store',
		name: 'useStore',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep partial answers and an audit trail (every page view and decision) in the HITL store, so they survive n8n restarts and execution pruning',
	},
	{
		displayName: 'Priority',
		name: 'priority',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.customer.tier === "gold" ? "high" : "" }}',
		description:
			'How urgent the review is in the Review Inbox and on the review page: urgent, high, normal or low (or 4–1). Empty: from the item — a blocking compliance finding or a risk flag is high, an audit sample low, anything else normal. With several items the most urgent counts.',
		displayOptions: { show: { useStore: [true] } },
	},
	{
		displayName: 'Review Inbox URL',
		name: 'inboxUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/review-inbox',
		description:
			"The Production URL of a Review Inbox trigger on the same store. The links sent and the review form go through the inbox, so a reviewer who opens or answers a review that is already decided is told by whom and how. Empty: the Review Inbox most recently activated on the same store is used; with no active inbox, links go straight to the review page (and n8n itself answers a late reviewer with a 409).",
		displayOptions: { show: { useStore: [true] } },
	},
	{
		displayName: 'Respond Within (Minutes)',
		name: 'respondWithinMinutes',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 4 },
		default: 0,
		placeholder: 'e.g. {{ $json.hitl.gate.route === "block" ? 15 : 30 }}',
		description:
			'A softer promise than the Time Limit: when a person should have answered, stored with the review for the Review SLA Trigger (reminders, overdue notices, escalation). 0: no target. With several items the shortest counts. Fractions are allowed (0.5 = 30 seconds).',
		displayOptions: { show: { useStore: [true] } },
	},
	{
		displayName: 'Backup Reviewers',
		name: 'backupReviewers',
		type: 'fixedCollection',
		placeholder: 'Add Backup Reviewer',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { useStore: [true], reviewerMode: ['named'] } },
		description:
			'People brought in when the review is escalated (a Review SLA Trigger with Escalate on sends them their personal links). Their links are refused until then, with a page saying when they become valid. Empty: no backups.',
		options: [
			{
				displayName: 'Backup Reviewer',
				name: 'reviewer',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'Sam Shift-Lead' },
					{
						displayName: 'Email',
						name: 'email',
						type: 'string',
						placeholder: 'name@email.com',
						default: '',
						description: "Where the escalation is sent (by the SLA workflow's mail node); also the backup reviewer's ID",
					},
				],
			},
		],
	},
	{
		displayName: 'Inbox Summary',
		name: 'inboxSummary',
		type: 'options',
		default: 'excerpt',
		options: [
			{ name: 'Excerpt', value: 'excerpt', description: 'The first 140 characters of the customer message (or the draft), card numbers masked' },
			{ name: 'None (Privacy Mode)', value: 'none', description: 'Only the case ID: no text of the message or the draft in the store' },
		],
		description: 'What the Review Inbox shows of each item; the store keeps it until the review is deleted by retention',
		displayOptions: { show: { useStore: [true] } },
	},
];
