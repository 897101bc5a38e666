import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, seedXiangshan, testDriver } from '../../test/helpers.ts';
import type { DatabaseHandle } from './database.ts';
import { migrateToLatest } from './migrate.ts';

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
});
afterAll(async () => h.close());

describe(`database on ${testDriver}`, () => {
  it('runs on the driver the suite was asked for', () => {
    expect(h.driver).toBe(testDriver);
  });

  // PGlite is built without a JIT provider; on PostgreSQL compiling the dashboard's plans took longer than running them.
  it.runIf(testDriver === 'postgres')('runs PostgreSQL without JIT compilation', async () => {
    const jit = (await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(h.db)).rows[0]!.jit;
    expect(jit).toBe('off');
  });

  it('reports no pending migrations once migrated', async () => {
    expect(await migrateToLatest(h.db)).toEqual([]);
  });

  it('returns counts as numbers and dates as YYYY-MM-DD strings on both drivers', async () => {
    const row = (await sql<{ n: number; d: string; t: Date }>`select count(*) as n, date '2026-01-05' as d, now() as t from regions`.execute(h.db)).rows[0]!;
    expect(row.n).toBe(1 + 1 + 1 + 18 + 410); // province, city, county, townships, villages
    expect(row.d).toBe('2026-01-05');
    expect(row.t).toBeInstanceOf(Date);
  });

  it('rolls a failed transaction back completely', async () => {
    await expect(
      h.db.transaction().execute(async (tx) => {
        await tx.insertInto('regions').values({ code: 'TX-ROLLBACK', name: 'x', level: 'grid', parent_code: null, path: 'TX-ROLLBACK', depth: 0 }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const left = await h.db.selectFrom('regions').select('code').where('code', '=', 'TX-ROLLBACK').execute();
    expect(left).toEqual([]);
  });

  it('answers subtree queries from the path index, not a scan of the table', async () => {
    const prefix = '330000000000/330200000000/330225000000/330225101000';
    const plan = await h.db.transaction().execute(async (tx) => {
      // Small tables make a scan the cheapest plan; forbid it to prove the index can serve the query.
      await sql`set local enable_seqscan = off`.execute(tx);
      return (await sql<{ 'QUERY PLAN': string }>`explain select code from regions where path = ${prefix} or path like ${`${prefix}/%`}`.execute(tx)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toMatch(/Index|Bitmap/);
    expect(plan).toContain('regions_path');
    expect(plan).not.toMatch(/Seq Scan on regions/);
  });
});
