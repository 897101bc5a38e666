import type { TestProject } from 'vitest/node';
import { openPostgres } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { startPostgres } from './postgres-server.ts';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplateUrl: string;
  }
}

// One server for the run; a migrated template database that each test file clones.
export default async function setup(project: TestProject) {
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('create database lianxin_template');
  await admin.end();
  const tpl = openPostgres(server.url('lianxin_template'), 1);
  await migrateToLatest(tpl.db);
  await tpl.close();
  project.provide('pgTemplateUrl', server.url('lianxin_template'));
  return async () => server.stop();
}
