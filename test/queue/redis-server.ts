/**
 * A throw-away Redis for the queue tests and the queue bench: `redis-server` from PATH on a free
 * loopback port, with persistence off (`--save '' --appendonly no`), stopped when done. Never the
 * machine's own Redis: every test file gets a server of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface RedisServer extends AsyncDisposable {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'the queue tests need a redis-server binary (Redis 7) on PATH: install it with `apt-get install redis-server` (Debian/Ubuntu) or your system package manager, then run the tests again';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

function start(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        cleanup();
        resolve(child);
      }
    };
    const onError = (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(error.code === 'ENOENT' ? new Error(REDIS_INSTALL_HINT, { cause: error }) : error);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    };
    const cleanup = () => {
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      // Keep draining its output so that the pipe never fills up.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.on('error', onError);
    child.on('exit', onExit);
  });
}

/** Starts a private redis-server (tries a few ports: another process may take the one picked). */
export async function startRedisServer(
  binary = process.env.REDIS_SERVER_BIN ?? 'redis-server',
): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await start(binary, port);
    } catch (error) {
      if ((error as Error).message === REDIS_INSTALL_HINT) throw error;
      lastError = error;
      continue;
    }
    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      })();
      return stopped;
    };
    return { port, url: `redis://127.0.0.1:${port}`, process: child, stop, [Symbol.asyncDispose]: stop };
  }
  throw new Error(`redis-server did not start on a free port: ${String(lastError)}`);
}
