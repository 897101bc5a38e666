import { defineConfig } from 'vitest/config';

// End-to-end: the real CLI starts Lianxin with demo data; Debian's Chromium drives the web app.
export default defineConfig({
  test: { include: ['e2e/**/*.e2e.test.ts'], globalSetup: ['e2e/global-setup.ts'], testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false },
});
