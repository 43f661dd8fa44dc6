/**
 * The chat messages for a draft, a repair and a judge call. Kept apart from the calling code so
 * that a prompt change is one reviewable diff (and carries a new prompt version label).
 */

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

export interface DraftPromptInput {
	/** The user's instructions (system prompt): tone, policies, what the business does. */
	instructions: string;
	/** The customer's message. */
	message: string;
	/** Optional knowledge snippets, customer record… given to the model as reference only. */
	context?: string;
	/** Ask the model to rate its own reply (verbalized confidence). */
	askForRating: boolean;
}

const ANSWER_GUIDE =
	'Answer with one JSON object that follows the given schema: "reply" is the message to the customer; ' +
	'"intent" a short lower-case label of what they want; "sentiment" their mood; "riskFlags" labels for anything ' +
	'a person should check before the reply goes out (empty when none).';

// Verbalized confidence is better calibrated when the model is asked for a probability that the
// answer is correct rather than for "how confident are you" (Tian et al. 2023; Xiong et al. 2024).
const RATING_GUIDE =
	' "confidence" is the probability, between 0 and 1, that your reply is correct, complete and safe to send ' +
	'without a person checking it. Be honest: use low values when facts are missing or the request is unclear.';

export function buildDraftMessages(input: DraftPromptInput): ChatMessage[] {
	const system = [input.instructions.trim(), ANSWER_GUIDE + (input.askForRating ? RATING_GUIDE : '')]
		.filter((part) => part !== '')
		.join('\n\n');
	const messages: ChatMessage[] = [{ role: 'system', content: system }];
	if (input.context && input.context.trim() !== '') {
		messages.push({
			role: 'system',
			content: `Reference information (use it to answer; do not quote it verbatim unless asked):\n${input.context.trim()}`,
		});
	}
	messages.push({ role: 'user', content: input.message });
	return messages;
}

/** The one repair attempt: the model sees its own answer and what was wrong with it. */
export function buildRepairMessages(draftMessages: ChatMessage[], badAnswer: string, problem: string): ChatMessage[] {
	return [
		...draftMessages,
		{ role: 'assistant', content: badAnswer },
		{
			role: 'user',
			content: `Your answer could not be used: ${problem}. Answer again with only the JSON object that follows the schema.`,
		},
	];
}

export interface JudgePromptInput {
	instructions: string;
	message: string;
	context?: string;
	reply: string;
}

// Single-answer grading as in Zheng et al. 2023 (MT-Bench): the judge sees the task and one answer
// and gives a 1–10 rating. The customer message goes first in the user turn so that the judge
// request carries the same case as the draft request.
export function buildJudgeMessages(input: JudgePromptInput): ChatMessage[] {
	const system =
		'You review replies that an assistant drafted for customer messages, before they are sent. ' +
		'Rate the draft from 1 to 10: 10 when it is correct, answers what the customer asked, follows the ' +
		'instructions and is safe to send as written; 1 when it is wrong, off-topic or unsafe. Judge only the ' +
		'draft; do not rewrite it. Answer with one JSON object that follows the given schema.';
	const parts = [
		input.message,
		'',
		'--- Instructions the assistant was given ---',
		input.instructions.trim() || '(none)',
	];
	if (input.context && input.context.trim() !== '') parts.push('', '--- Reference information ---', input.context.trim());
	parts.push('', '--- Draft reply to rate ---', input.reply);
	return [
		{ role: 'system', content: system },
		{ role: 'user', content: parts.join('\n') },
	];
}
