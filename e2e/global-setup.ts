import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// The demo county is built once per run, by the real CLI's first start, into a template data
// directory; each e2e file starts its own server on a copy of it (see startLianxin). Building it
// takes minutes on this machine, and ten files each building their own would not fit the CI's time.

declare module 'vitest' {
  export interface ProvidedContext {
    demoTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-e2e-template-'));
  const server = spawn(process.execPath, ['bin/lianxin.mjs', 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LIANXIN_DATA_DIR: dir, LIANXIN_ADMIN_PASSWORD: 'E2e#Demo2026', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo template did not start:\n${out}`)), 900_000);
      const onData = (d: Buffer) => {
        out += String(d);
        if (/running: http:\/\/localhost:\d+/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code) => reject(new Error(`the demo template's server exited with ${code}:\n${out}`)));
    });
  } finally {
    // Stopped before copying: PGlite writes its files on close.
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r)));
  }
  project.provide('demoTemplate', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
