#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx registers an ESM loader, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
