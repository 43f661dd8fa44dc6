/**
 * The package's credential type names, once: nodes read their credentials by these constants
 * (`getCredentials`). A saved workflow refers to its credentials by these names, so they never
 * change. The credential classes (`name`) and the nodes' descriptions (`credentials`) spell them
 * as literals, because n8n's community-node lint reads them from the source there
 * (`no-credential-reuse`, `credential-test-required`); test/unit/contract/credentialNames.test.ts
 * checks that every one of those literals is one of these constants.
 */
export const LLM_API_CREDENTIAL = 'llmApi';
export const HITL_STORE_CREDENTIAL = 'hitlStore';
export const HITL_SMTP_CREDENTIAL = 'hitlSmtpApi';
export const HITL_REVIEW_SECRET_CREDENTIAL = 'hitlReviewSecretApi';
