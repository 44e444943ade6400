/** The sealsync-server command: argument parsing and a real start on a random port. */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { organizationIdFromName, parseServerArgs, startServer } from '../../src/server/cli.js';
import { HttpAnonymousTransport } from '../../src/transport/index.js';

describe('sealsync-server CLI', () => {
  it('parses port, host, repeated --org, help', () => {
    expect(parseServerArgs([])).toEqual({ port: 8080, host: '127.0.0.1', orgs: [], allowOrigins: [], storage: { kind: 'disk', dir: './sealsync-data', defaulted: true }, adminTokenFile: null, help: false });
    expect(parseServerArgs(['--port', '0', '--host', '::1', '--org', 'a', '--org', 'b', '--memory', '--help'])).toEqual({ port: 0, host: '::1', orgs: ['a', 'b'], allowOrigins: [], storage: { kind: 'memory' }, adminTokenFile: null, help: true });
  });

  it('--database or SEALSYNC_DATABASE_URL chooses PostgreSQL; an explicit --data or --memory wins over the variable', () => {
    expect(parseServerArgs(['--database', 'postgres://u:p@db:5432/s']).storage).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/s' });
    const env = { SEALSYNC_DATABASE_URL: 'postgresql://db/s' };
    expect(parseServerArgs([], env).storage).toEqual({ kind: 'postgres', url: 'postgresql://db/s' });
    expect(parseServerArgs(['--memory'], env).storage).toEqual({ kind: 'memory' });
    expect(() => parseServerArgs([], { SEALSYNC_DATABASE_URL: 'mysql://db' })).toThrow(ArgumentError);
  });

  it('refuses bad arguments', () => {
    for (const argv of [['--port'], ['--port', '70000'], ['--port', 'x'], ['--what'], ['--org', '--port'], ['--data'], ['--memory', '--data', 'x'], ['--admin-token-file'], ['--database'], ['--database', 'http://x'], ['--database', 'postgres://h/d', '--data', 'x']]) {
      expect(() => parseServerArgs(argv), argv.join(' ')).toThrow(ArgumentError);
    }
  });

  it('derives a stable id from a name, keeps an id as is', () => {
    expect(organizationIdFromName('acme')).toBe(organizationIdFromName('acme'));
    expect(organizationIdFromName('acme')).not.toBe(organizationIdFromName('acme2'));
    expect(organizationIdFromName('0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef');
    expect(() => organizationIdFromName('')).toThrow(ArgumentError);
  });

  it('starts, serves the created organisation, stops', async () => {
    const running = await startServer({ port: 0, host: '127.0.0.1', orgs: ['acme'] });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const [org] = running.organizations;
      expect(org!.bootstrapToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const r = await new HttpAnonymousTransport({ url: running.url, organizationId: org!.organizationId }).send({ cmd: 'invited_info', token: org!.organizationId as never });
      expect(r).toMatchObject({ status: 'error', code: 'invitation_not_found' });
    } finally {
      await running.close();
    }
  });
});
