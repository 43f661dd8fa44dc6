/**
 * The PostgreSQL driver runs queryArrays (the Review Inbox's reads) as named statements, prepared
 * once per connection. A pooler in transaction mode can lose them or mix them up between server
 * connections; the driver then goes back to unnamed statements. Both failures are made here on a
 * real server, on a pool of one connection: a statement of the same name already there (42P05),
 * and a statement the connection prepared that the server no longer has (26000).
 */
import { createHash } from 'node:crypto';

import { PostgresDriver } from '../../../nodes/shared/store/postgresDriver';
import { startPostgres, type TestPostgres } from '../../support/postgres';

jest.setTimeout(120_000);

let postgres: TestPostgres;
beforeAll(async () => {
	postgres = await startPostgres();
});
afterAll(async () => {
	await postgres?.stop();
});

const nameOf = (sql: string) => `hitl_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`;

test('a statement name already taken on the connection (42P05): the read still answers, unnamed from then on', async () => {
	const driver = new PostgresDriver({ ...(await postgres.createDatabase()), maxConnections: 1 });
	try {
		const sql = 'SELECT ? + 1 AS n';
		await driver.run(`PREPARE "${nameOf(sql)}" AS SELECT 'someone else''s' AS n`);
		expect(await driver.queryArrays(sql, [41])).toEqual([[42]]);
		expect(await driver.queryArrays(sql, [1])).toEqual([[2]]);
	} finally {
		await driver.close();
	}
});

test('a named statement the server no longer has (26000): the read still answers', async () => {
	const driver = new PostgresDriver({ ...(await postgres.createDatabase()), maxConnections: 1 });
	try {
		const sql = "SELECT ? || '!' AS said";
		expect(await driver.queryArrays(sql, ['prepared'])).toEqual([['prepared!']]);
		await driver.run('DEALLOCATE ALL');
		expect(await driver.queryArrays(sql, ['again'])).toEqual([['again!']]);
	} finally {
		await driver.close();
	}
});
