#!/usr/bin/env node
// The `remote-users-sync` command (package.json "bin" → dist/cli.js → here).
import { main } from './cli.js';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`remote-users-sync: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
}
