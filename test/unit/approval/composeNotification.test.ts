/**
 * The review e-mail (issue 14): a named reviewer's mail carries their personal inbox link beside
 * their review link when there is an inbox; without one, the mail is as before.
 */
import { composeEmail, type NotificationContent } from '../../../nodes/HumanApprovalWait/composeNotification';

const content: NotificationContent = {
	title: 'Review the reply',
	link: 'http://n8n.test/webhook/inbox?execution=7&node=H&signature=t&reviewer=ann%40x.test&rsig=r',
	recipientName: 'Ann',
	itemCount: 1,
	excerpt: 'We refund the second charge.',
	approvalsNeeded: 1,
	executionId: '7',
};

test('a named reviewer with an inbox gets both links, escaped in the HTML', () => {
	const inboxLink = 'http://n8n.test/webhook/inbox?reviewer=ann%40x.test&isig=abc';
	const mail = composeEmail({ ...content, inboxLink });
	expect(mail.text).toContain(`Open the review: ${content.link}`);
	expect(mail.text).toContain(`Your review inbox (every review waiting, most urgent first): ${inboxLink}`);
	expect(mail.text).toContain('These links are personal: please do not forward them.');
	expect(mail.html).toContain(`<a href="${inboxLink.replace(/&/g, '&amp;')}" style="color:#2563eb;font-weight:600">Your review inbox</a>`);
});

test('without an inbox the mail has one link and says so', () => {
	const mail = composeEmail(content);
	expect(mail.text).not.toContain('review inbox');
	expect(mail.html).not.toContain('review inbox');
	expect(mail.text).toContain('This link is personal: please do not forward it.');
});
