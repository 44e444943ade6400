#!/usr/bin/env node
/**
 * `sealsync-server [--data DIR | --memory] [--port 8080] [--host 127.0.0.1] [--org NAME]…`: the
 * reference server over HTTP (disk-backed by default), and `sealsync-server admin <command>`,
 * the administration API from a shell. `--help` documents every option. Bad options: one line and
 * exit 2; cannot start (storage, port): one line and exit 1.
 * @module
 */
import { SealsyncError } from '../errors.js';
import { ADMIN_USAGE, parseAdminArgs, runAdminCall } from '../server/admin/cli.js';
import { SERVER_USAGE, organizationIdFromName, parseServerArgs, resolveAdminToken, startServer } from '../server/cli.js';

function oneLine(err: unknown): string {
  const message = err instanceof SealsyncError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!;
}

async function admin(argv: readonly string[]): Promise<number> {
  let call;
  try {
    call = parseAdminArgs(argv, organizationIdFromName);
  } catch (err) {
    process.stderr.write(`sealsync-server admin: ${oneLine(err)} (see --help)\n`);
    return 2;
  }
  if (call.help) {
    process.stdout.write(ADMIN_USAGE);
    return 0;
  }
  const token = await resolveAdminToken(call.tokenFile);
  if (token === undefined) {
    process.stderr.write('sealsync-server admin: no admin token (--admin-token-file or SEALSYNC_ADMIN_TOKEN)\n');
    return 2;
  }
  process.stdout.write(`${JSON.stringify(await runAdminCall(call, token), null, 2)}\n`);
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'admin') return admin(argv.slice(1));
  let options;
  try {
    options = parseServerArgs(argv, process.env);
  } catch (err) {
    process.stderr.write(`sealsync-server: ${oneLine(err)} (see --help)\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(SERVER_USAGE);
    return 0;
  }
  const adminToken = await resolveAdminToken(options.adminTokenFile);
  const running = await startServer(
    { ...options, ...(adminToken !== undefined ? { adminToken } : {}) },
    { onError: (err) => process.stderr.write(`internal error: ${String(err)}\n`) },
  );
  process.stdout.write(`sealsync-server: data ${running.storageDescription}\n`);
  process.stdout.write(`sealsync-server listening on ${running.url}${adminToken !== undefined ? ' (admin API on /admin/)' : ''}\n`);
  for (const org of running.organizations) {
    const token = org.bootstrapToken === null ? 'already bootstrapped' : `bootstrap token ${org.bootstrapToken}`;
    process.stdout.write(`organization ${org.name}: id ${org.organizationId} ${token}\n`);
  }
  const stop = (): void => {
    void running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
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
    process.stderr.write(`sealsync-server: ${oneLine(err)}\n`);
    process.exit(1);
  },
);
