import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Where the HITL store keeps decisions, review state and the audit log. Embedded (one SQLite file
 * in the n8n user folder) needs nothing set up; PostgreSQL is for queue mode, where several n8n
 * processes must see the same data. The Feedback Log node tests the connection (it opens the
 * store and creates the schema).
 */
// eslint-disable-next-line n8n-nodes-base/cred-class-name-unsuffixed -- a database, not an API; the name is what users see in the credential list
export class HitlStore implements ICredentialType {
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-name-unsuffixed -- see the class name
	name = 'hitlStore';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api -- a database, not an API
	displayName = 'HITL Store';

	icon = 'file:hitlStore.svg' as const;

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a URL with an anchor, not a main-repo doc slug
	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/nodes/FeedbackLog/README.md#the-store';

	properties: INodeProperties[] = [
		{
			displayName: 'Back End',
			name: 'backend',
			type: 'options',
			default: 'embedded',
			options: [
				{ name: 'Embedded (SQLite File)', value: 'embedded', description: 'One file on this n8n machine; nothing to set up' },
				{ name: 'PostgreSQL', value: 'postgres', description: 'For queue mode or several n8n processes' },
			],
		},
		{
			displayName: 'File Path',
			name: 'filePath',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/hitl.sqlite',
			hint: 'Leave empty for hitl.sqlite in the n8n user folder (next to n8n\'s own database)',
			description: 'Absolute path of the SQLite file. Every n8n process using this credential must reach the same file.',
			displayOptions: { show: { backend: ['embedded'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			required: true,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'n8n_hitl',
			required: true,
			hint: 'The tables are created on first use (their names start with hitl_)',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			default: 'disable',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Verify Certificate)', value: 'require' },
				{ name: 'Require (Allow Self-Signed Certificate)', value: 'allowUnauthorized' },
			],
			displayOptions: { show: { backend: ['postgres'] } },
		},
	];
}
