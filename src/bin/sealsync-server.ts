#!/usr/bin/env node
/**
 * `sealsync-server --port 8080 [--host 127.0.0.1] [--org NAME]`: the reference server over HTTP,
 * in memory. Prints where it listens and, for each `--org`, the organisation id and bootstrap token.
 * @module
 */
import { SealsyncError } from '../errors.js';
import { SERVER_USAGE, parseServerArgs, startServer } from '../server/cli.js';

async function main(): Promise<number> {
  let options;
  try {
    options = parseServerArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${SERVER_USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(SERVER_USAGE);
    return 0;
  }
  const running = await startServer(options, { onError: (err) => process.stderr.write(`internal error: ${String(err)}\n`) });
  process.stdout.write(`sealsync-server listening on ${running.url}\n`);
  for (const org of running.organizations) {
    process.stdout.write(`organization ${org.name}: id ${org.organizationId} bootstrap token ${org.bootstrapToken}\n`);
  }
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message = err instanceof SealsyncError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`sealsync-server: ${message}\n`);
    process.exit(1);
  },
);
