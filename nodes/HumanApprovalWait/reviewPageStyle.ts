/** The pages' stylesheet and security headers live in nodes/shared/reviewPageStyle.ts (the Review Inbox uses them too). */
export * from '../shared/reviewPageStyle';
