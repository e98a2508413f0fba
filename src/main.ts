import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { createApp } from './app.js';
import { ConfigError, loadConfig, redactConfig } from './config/config.js';
import { createLogger } from './shared/logger.js';

// The live heap is small (about 60 MB); by default V8 lets garbage grow the heap to several times that
// before a full collection, which a long import or export turns into hundreds of MB of RSS. Collect
// sooner: memory stays flat at a few percent of CPU.
setFlagsFromString('--heap-growing-percent=40');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const logger = createLogger(config.logLevel);
logger.info({ config: redactConfig(config) }, 'starting');
const app = await createApp(config, { logger, defaultMetrics: true });
const url = await app.listen();
if (app.initialAdminToken) {
  // Printed once, on the terminal only: the database holds just its hash.
  process.stdout.write(
    `\nremote-users-sync is running at ${url}/graphql\n` +
      `First start: an admin token was created. Store it now, it is not shown again:\n\n  ${app.initialAdminToken}\n\n` +
      `Use it as "Authorization: Bearer <token>".\n\n`,
  );
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const timer = setTimeout(() => {
    logger.error('shutdown timed out, exiting');
    process.exit(1);
  }, 15_000);
  timer.unref();
  try {
    await app.close();
    logger.info('stopped');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
