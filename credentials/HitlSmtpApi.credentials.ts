import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The mail server the Human Approval Wait node sends review links through. The same fields as
 * n8n's own SMTP credential (community packages may only use their own credential types); the
 * node's credential test connects and authenticates without sending anything.
 */
// Tested by Human Approval Wait (`testedBy` in nodes/HumanApprovalWait/v1/): the lint rule reads only
// the node files package.json lists, not a VersionedNodeType's version classes, so it cannot see it.
// test/workflow/packageManifest.test.ts checks every credential's test on the loaded node versions.
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class HitlSmtpApi implements ICredentialType {
	name = 'hitlSmtpApi';

	displayName = 'HITL SMTP API';

	icon = 'file:hitlSmtp.svg' as const;

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a URL with an anchor, not a main-repo doc slug
	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/nodes/HumanApprovalWait/README.md';

	properties: INodeProperties[] = [
		{ displayName: 'User', name: 'user', type: 'string', default: '', description: 'Leave empty for a server without login' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Host', name: 'host', type: 'string', default: '', placeholder: 'smtp.example.com', required: true },
		{ displayName: 'Port', name: 'port', type: 'number', default: 465 },
		{
			displayName: 'SSL/TLS',
			name: 'secure',
			type: 'boolean',
			default: true,
			description: 'Whether to connect over TLS from the start (port 465); off uses STARTTLS when the server offers it',
		},
		{
			displayName: 'Disable STARTTLS',
			name: 'disableStartTls',
			type: 'boolean',
			default: false,
			displayOptions: { show: { secure: [false] } },
			description: 'Whether to send in plain text even when the server offers STARTTLS (only for a local relay)',
		},
		{
			displayName: 'Client Host Name',
			name: 'hostName',
			type: 'string',
			default: '',
			description: 'The name this client gives in HELO/EHLO; default is the machine\'s host name',
		},
	];
}
