/**
 * The published package, as a consumer gets it: build, `npm pack`, install the tarball into fresh
 * projects (offline, from the npm cache `npm ci` filled), then run an ESM, a CommonJS
 * (require(esm)) and a strict TypeScript consumer on the repository's Node 24 against the
 * emulators from `entitlement-provisioner/testing`.
 *
 * Offline installs and the lockfile: a fresh `npm install <tarball>` resolves every range to the
 * newest version in the cached registry metadata, but the cache only holds the tarballs of the
 * versions in this repository's package-lock.json. (First seen with protobufjs, which depends on
 * `@types/node >=13.7.0`: in the repository that dedupes onto the locked @types/node 24, in a
 * fresh project it became @types/node 26, whose undici-types was never downloaded; any dependency
 * released after the lockfile was written would do the same.) So each consumer starts with a
 * package-lock.json holding the repository's runtime (non-dev) packages at their locked versions,
 * and the installed tree is checked against it. The TypeScript consumer's @types/node is the one
 * that tree already has (protobufjs brings it).
 *
 * The build runs once, explicitly (its errors show here); `npm pack --ignore-scripts` then skips the
 * `prepack` rebuild (`npm run lint:package` exercises that path).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationShapes } from '../../generated/confluent/shapes.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';

/**
 * The type of `raw.plan_id` as generated from the vendor's spec: its values, open to any other
 * string when the spec lists them with x-extensible-enum.
 */
const READ_PLAN = operationShapes.getPartnerV2Entitlement.responses['200'].properties.plan_id;
const PLAN_TYPE = [
  ...READ_PLAN.enum.map((value) => JSON.stringify(value)),
  ...('open' in READ_PLAN && READ_PLAN.open ? ['(string & {})'] : []),
].join(' | ');

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const node = process.execPath;
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const NAME = 'entitlement-provisioner';

/** The environment of every child: the repository's Node first on the PATH (npm runs on it too), no npm script variables. */
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_/i.test(key) || /^npm_config_(cache|userconfig|globalconfig)$/i.test(key),
  ),
);
childEnv.PATH = `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`;
childEnv.NO_COLOR = '1';
delete childEnv.NODE_OPTIONS;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<Run> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd, env: childEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
      },
    );
  });
}

function explain(step: string, result: Run): string {
  return `${step} exited with ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

async function runOk(step: string, command: string, args: string[], cwd: string, timeoutMs?: number) {
  const result = await run(command, args, cwd, timeoutMs);
  timings[step] = result.ms;
  if (result.code !== 0) throw new Error(explain(step, result));
  return result;
}

const timings: Record<string, number> = {};

// ---------------------------------------------------------------------------------------------
// Consumers

const confluentEntitlement = (externalId: string) => `{
    external_id: '${externalId}',
    name: 'Packed consumer',
    plan_id: '${PLAN_ID}',
    product_id: '${PRODUCT_ID}',
  }`;

const ESM_CONSUMER = `import { createProvisioner, isEntitlementError } from '${NAME}';
import { createGoogleChannelProvisioner, GOOGLE_CHANNEL } from '${NAME}/google-channel';
import { startChannelEmulator, startConfluentEmulator } from '${NAME}/testing';

const confluentEmulator = await startConfluentEmulator();
const channelEmulator = await startChannelEmulator({ completion: { afterPolls: 1 } });
const provisioner = createProvisioner({
  env: {},
  confluent: { baseUrl: confluentEmulator.url, credentials: { type: 'bearer', token: 'emulator-token' } },
  googleChannel: {
    apiEndpoint: '127.0.0.1',
    port: channelEmulator.grpcAddress.port,
    insecure: true,
    polling: { initialDelayMs: 5 },
  },
});
try {
  const confluentOperation = await provisioner.create({
    vendor: 'confluent',
    entitlement: ${confluentEntitlement('esm-consumer-1')},
  });
  const googleOperation = await provisioner.create(
    {
      vendor: 'google-channel',
      parent: 'accounts/C0000001/customers/S0000001',
      entitlement: {
        offer: 'accounts/C0000001/offers/OFFER-GCP',
        parameters: [{ name: 'num_units', value: { int64Value: '10' } }],
      },
    },
    { idempotencyKey: 'esm-consumer-order-1' },
  );
  const [confluent, google] = await Promise.all([
    confluentOperation.wait({ timeoutMs: 20_000 }),
    googleOperation.wait({ timeoutMs: 20_000 }),
  ]);
  // The google-channel subpath on its own, over REST this time.
  const rest = createGoogleChannelProvisioner({
    transport: 'rest',
    apiEndpoint: '127.0.0.1',
    port: Number(new URL(channelEmulator.restUrl).port),
    insecure: true,
  });
  const again = await rest.get({ vendor: GOOGLE_CHANNEL, name: google.id });
  await rest.close();
  let missing;
  try {
    await provisioner.get({ vendor: 'confluent', id: 'ent-does-not-exist' });
  } catch (error) {
    missing = isEntitlementError(error) ? error.kind : String(error);
  }
  console.log(
    JSON.stringify({
      node: process.version,
      resolved: import.meta.resolve('${NAME}'),
      vendors: provisioner.vendors,
      confluent: { vendor: confluent.vendor, id: confluent.id, state: confluent.state },
      google: { vendor: google.vendor, id: google.id, state: google.state, viaRest: again.id },
      missing,
      emulators: {
        confluent: confluentEmulator.entitlements().length,
        channel: channelEmulator.operations().length,
      },
    }),
  );
} finally {
  await provisioner.close();
  await confluentEmulator.close();
  await channelEmulator.close();
}
`;

/** Confluent only: no Google peers installed. Google features must say what to install, not crash. */
const CONFLUENT_CONSUMER = `import { createProvisioner } from '${NAME}';
import { createGoogleChannelProvisioner } from '${NAME}/google-channel';
import { startChannelEmulator, startConfluentEmulator } from '${NAME}/testing';

const emulator = await startConfluentEmulator();
const failure = (error) => ({ kind: error.kind, reason: error.reason, message: error.message });
const provisioner = createProvisioner({
  env: {},
  confluent: { baseUrl: emulator.url, credentials: { type: 'bearer', token: 'emulator-token' } },
});
try {
  const operation = await provisioner.create({
    vendor: 'confluent',
    entitlement: ${confluentEntitlement('confluent-only-1')},
  });
  const created = await operation.wait({ timeoutMs: 20_000 });
  const viaFacade = await provisioner
    .create({
      vendor: 'google-channel',
      parent: 'accounts/C0000001/customers/S0000001',
      entitlement: { offer: 'accounts/C0000001/offers/OFFER-GCP' },
    })
    .catch(failure);
  const direct = await createGoogleChannelProvisioner({ apiEndpoint: '127.0.0.1', port: 1, insecure: true })
    .get({ vendor: 'google-channel', name: 'accounts/A/customers/C/entitlements/E' })
    .catch(failure);
  const channelEmulator = await startChannelEmulator().catch(failure);
  console.log(JSON.stringify({ created: created.state, viaFacade, direct, channelEmulator }));
} finally {
  await provisioner.close();
  await emulator.close();
}
`;

const CJS_CONSUMER = `'use strict';
const { isEntitlementError } = require('${NAME}');
const { createConfluentProvisioner } = require('${NAME}/confluent');
const { startConfluentEmulator } = require('${NAME}/testing');

async function main() {
  const emulator = await startConfluentEmulator();
  try {
    const confluent = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: { type: 'bearer', token: 'emulator-token' },
    });
    const operation = await confluent.create({
      vendor: 'confluent',
      entitlement: ${confluentEntitlement('cjs-consumer-1')},
    });
    const created = await operation.wait({ timeoutMs: 20_000 });
    const read = await confluent.get({ vendor: 'confluent', id: created.id });
    let missing;
    try {
      await confluent.get({ vendor: 'confluent', id: 'ent-does-not-exist' });
    } catch (error) {
      missing = isEntitlementError(error) ? error.kind : String(error);
    }
    console.log(
      JSON.stringify({
        node: process.version,
        resolved: require.resolve('${NAME}'),
        created: { id: created.id, state: created.state },
        read: { id: read.id, externalId: read.raw.external_id },
        missing,
      }),
    );
  } finally {
    await emulator.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const TS_CONSUMER = `import type { ConfluentCreateRequest } from '${NAME}/confluent';
import {
  createProvisioner,
  type EntitlementError,
  type ErrorKind,
  isEntitlementError,
} from '${NAME}';
import type { GoogleChannelCreateRequest } from '${NAME}/google-channel';
import { startChannelEmulator, startConfluentEmulator } from '${NAME}/testing';

const confluentRequest: ConfluentCreateRequest = {
  vendor: 'confluent',
  entitlement: ${confluentEntitlement('ts-consumer-1')},
};

const googleRequest: GoogleChannelCreateRequest = {
  vendor: 'google-channel',
  parent: 'accounts/C0000001/customers/S0000001',
  entitlement: {
    offer: 'accounts/C0000001/offers/OFFER-WORKSPACE-STARTER',
    parameters: [{ name: 'num_units', value: { int64Value: '10' } }],
  },
  externalCorrelationId: 'crm-4711',
};

/** \`isEntitlementError\` narrows \`unknown\` to EntitlementError, whose \`kind\` is a union of literals. */
function describeFailure(error: unknown): string {
  if (!isEntitlementError(error)) return 'not an EntitlementError';
  const narrowed: EntitlementError = error;
  const kind: ErrorKind = narrowed.kind;
  switch (error.kind) {
    case 'not-found':
      return \`not-found (HTTP \${error.httpStatus ?? '?'})\`;
    case 'invalid-argument':
      return 'invalid-argument';
    default:
      return kind;
  }
}

// @ts-expect-error: 'no-such-kind' is not an ErrorKind (fails to compile if kind were any or string)
const impossible: ErrorKind = 'no-such-kind';
void impossible;

const confluentEmulator = await startConfluentEmulator();
const channelEmulator = await startChannelEmulator({ completion: { afterPolls: 1 } });
const provisioner = createProvisioner({
  env: {},
  tracing: false,
  confluent: { baseUrl: confluentEmulator.url, credentials: { type: 'bearer', token: 'emulator-token' } },
  googleChannel: { apiEndpoint: '127.0.0.1', port: channelEmulator.grpcAddress.port, insecure: true, polling: { initialDelayMs: 5 } },
});
try {
  const confluent = await (await provisioner.create(confluentRequest)).wait({ timeoutMs: 20_000 });
  const google = await (await provisioner.create(googleRequest, { idempotencyKey: 'ts-order-1' })).wait({ timeoutMs: 20_000 });
  const planId: ${PLAN_TYPE} = confluent.raw.plan_id;
  const offer: string | null | undefined = google.raw.offer;
  let failure = 'none';
  try {
    await provisioner.get({ vendor: 'confluent', id: 'ent-does-not-exist' });
  } catch (error) {
    failure = describeFailure(error);
  }
  console.log(JSON.stringify({ confluent: { id: confluent.id, state: confluent.state, planId }, google: { id: google.id, state: google.state, offer }, failure }));
} finally {
  await provisioner.close();
  await confluentEmulator.close();
  await channelEmulator.close();
}
`;

/** Must not compile: the plan is not one the vendor's spec lists. */
const TS_BAD_PLAN = `import type { ConfluentCreateRequest } from '${NAME}/confluent';

export const request: ConfluentCreateRequest = {
  vendor: 'confluent',
  entitlement: {
    external_id: 'bad-1',
    name: 'Bad plan',
    plan_id: 'confluent-cloud-no-such-plan',
    product_id: '${PRODUCT_ID}',
  },
};
`;

const tsconfig = (files: string[], noEmit: boolean) =>
  JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        lib: ['es2024'],
        types: ['node'],
        skipLibCheck: false,
        noEmitOnError: true,
        noEmit,
        outDir: 'out',
        rootDir: '.',
      },
      files,
    },
    null,
    2,
  );

// ---------------------------------------------------------------------------------------------
// Packing and installing

/** The bytes of every file under `dir` (what an install puts on disk, before block rounding). */
async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
  resolved?: string;
  [key: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

/**
 * The registry address of a locked package's tarball. This repository's lockfile omits `resolved`
 * (`omit-lockfile-registry-resolved`), so npm would look each version up in the registry metadata,
 * in a form (the abbreviated document) the cache does not hold: with the address, npm takes the
 * tarball from the cache by its integrity.
 */
function tarballUrl(registry: string, path: string, entry: LockEntry): string {
  const name =
    typeof entry.name === 'string' ? entry.name : path.slice(path.lastIndexOf('node_modules/') + 13);
  return `${registry}${name}/-/${name.split('/').at(-1)}-${entry.version}.tgz`;
}

let work: string;
let pack: PackResult;
let tarball: string;
let repoLock: Lockfile;
/** The repository's runtime packages (path -> locked entry): what a consumer installs. */
let runtimePackages: Record<string, LockEntry>;
/** The Google peers (google-gax and the gRPC stack the emulator uses) and what they depend on. */
let googlePackages: Record<string, LockEntry>;
/** The peer dependencies a Google consumer installs, at the repository's locked versions. */
let googlePeers: Record<string, string>;
/** confluent and cjs: Confluent only (no peers installed); esm and ts: both vendors, with the Google peers. */
const consumers = { confluent: '', cjs: '', esm: '', ts: '' };
const GOOGLE_PEERS = [
  'google-gax',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'protobufjs',
  'proto3-json-serializer',
];

/**
 * The lock entries of `roots` and of everything they depend on, resolved the way Node resolves
 * them in the repository's tree (the nearest node_modules first), with the flags that say why the
 * repository has them (dev, peer) dropped: in a consumer they are plain dependencies.
 */
function closure(lock: Lockfile, roots: readonly string[], registry: string): Record<string, LockEntry> {
  const found: Record<string, LockEntry> = {};
  const resolveFrom = (from: string, name: string): string | undefined => {
    for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
      const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (at === '') return undefined;
    }
  };
  const visit = (path: string) => {
    if (found[path]) return;
    const entry = lock.packages[path] as LockEntry;
    const { dev: _dev, peer: _peer, devOptional: _devOptional, ...kept } = entry;
    found[path] = { ...kept, resolved: entry.resolved ?? tarballUrl(registry, path, entry) };
    const dependencies = {
      ...(entry.dependencies as Record<string, string> | undefined),
      ...(entry.optionalDependencies as Record<string, string> | undefined),
    };
    for (const name of Object.keys(dependencies)) {
      const target = resolveFrom(path, name);
      if (target) visit(target);
    }
  };
  for (const name of roots) {
    const target = resolveFrom('', name);
    if (!target) throw new Error(`${name} is not in package-lock.json`);
    visit(target);
  }
  return found;
}

async function createConsumer(kind: keyof typeof consumers): Promise<string> {
  const dir = join(work, `consumer-${kind}`);
  await mkdir(dir);
  const google = kind === 'esm' || kind === 'ts';
  const packages = google ? { ...runtimePackages, ...googlePackages } : runtimePackages;
  const typesNode = packages['node_modules/@types/node']?.version;
  const dependencies: Record<string, string> = {
    ...(google ? googlePeers : {}),
    ...(kind === 'ts' && typesNode ? { '@types/node': typesNode } : {}),
  };
  const manifest = {
    name: `consumer-${kind}`,
    version: '1.0.0',
    private: true,
    type: kind === 'cjs' ? 'commonjs' : 'module',
    dependencies,
  };
  const lock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: manifest.name, version: manifest.version, dependencies }, ...packages },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  await runOk(
    `npm install (${kind})`,
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
    dir,
    90_000,
  );
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ep-consumer-'));
  await runOk('npm run build', 'npm', ['run', 'build', '--silent'], repo, 90_000);
  const packed = await runOk(
    'npm pack',
    'npm',
    ['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', work],
    repo,
  );
  [pack] = JSON.parse(packed.stdout) as [PackResult];
  tarball = join(work, pack.filename);
  repoLock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as Lockfile;
  const registry = (await runOk('npm config get registry', 'npm', ['config', 'get', 'registry'], repo)).stdout
    .trim()
    .replace(/\/?$/, '/');
  const manifest = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  runtimePackages = closure(repoLock, Object.keys(manifest.dependencies), registry);
  googlePackages = closure(repoLock, GOOGLE_PEERS, registry);
  googlePeers = Object.fromEntries(
    GOOGLE_PEERS.map((name) => [name, repoLock.packages[`node_modules/${name}`]?.version as string]),
  );
  const started = performance.now();
  // Two at a time: four npm installs at once swamp a loaded 2-core machine.
  [consumers.confluent, consumers.cjs] = await Promise.all([
    createConsumer('confluent'),
    createConsumer('cjs'),
  ]);
  [consumers.esm, consumers.ts] = await Promise.all([createConsumer('esm'), createConsumer('ts')]);
  timings['npm install (4, two at a time, wall)'] = Math.round(performance.now() - started);
}, 240_000);

afterAll(async () => {
  console.info(
    `packed ${pack?.filename}: ${pack?.size} bytes, ${pack?.unpackedSize} unpacked, ${pack?.entryCount} files; timings (ms): ${JSON.stringify(timings)}`,
  );
  if (work) await rm(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe('the packed tarball', { timeout: 60_000 }, () => {
  it('holds only the build output, the bin launcher, README, LICENSE and package.json', async () => {
    const paths = pack.files.map((file) => file.path).sort();
    const allowed =
      /^(dist\/src\/|dist\/generated\/|bin\/entitlements\.js$|README\.md$|package\.json$|LICENSE$)/;
    expect(paths.filter((path) => !allowed.test(path))).toEqual([]);
    for (const prefix of [
      'test/',
      'scripts/',
      'openapi/',
      'bench/',
      '.ci/',
      'src/',
      'generated/',
      'node_modules/',
    ]) {
      expect(paths.filter((path) => path.startsWith(prefix))).toEqual([]);
    }
    // TypeScript sources are not shipped: only declarations.
    expect(paths.filter((path) => /\.[cm]?ts$/.test(path) && !/\.d\.[cm]?ts$/.test(path))).toEqual([]);
    expect(paths).toContain('README.md');
    expect(paths).toContain('package.json');
    if (existsSync(join(repo, 'LICENSE'))) expect(paths).toContain('LICENSE');
    // The JSON documents the code imports at run time.
    expect(paths).toContain('dist/generated/confluent/openapi.json');
    expect(paths).toContain('dist/generated/google/channel.json');
    expect(pack.size).toBeLessThan(1024 * 1024);
  });

  it('has a manifest whose entry points all exist, and no build-time dependency', async () => {
    const installed = join(consumers.esm, 'node_modules', NAME);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      type: string;
      main: string;
      types: string;
      exports: Record<string, string | Record<string, string>>;
      dependencies: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(manifest.type).toBe('module');
    expect(Object.keys(manifest.dependencies)).not.toContain('google-proto-files');
    const paths = new Set(pack.files.map((file) => file.path));
    const targets = [manifest.main, manifest.types];
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') targets.push(target);
      else {
        expect(Object.keys(target), subpath).toEqual(['types', 'default']);
        targets.push(...Object.values(target));
      }
    }
    for (const target of targets) expect(paths, target).toContain(posix.normalize(target));
    expect(Object.keys(manifest.exports).sort()).toEqual(
      ['.', './adapter', './confluent', './google-channel', './package.json', './queue', './testing'].sort(),
    );
  });

  it('has every relative import of its .js and .d.ts files inside the tarball', () => {
    // Static: a file the build forgot (a JSON document, say) or a specifier the build did not rewrite.
    const paths = new Set(pack.files.map((file) => file.path));
    const problems: string[] = [];
    return Promise.all(
      [...paths]
        .filter((path) => /\.(js|d\.ts)$/.test(path))
        .map(async (path) => {
          const text = await readFile(join(consumers.esm, 'node_modules', NAME, path), 'utf8');
          const code = path.endsWith('.d.ts') ? text : text.replace(/^\/\/# sourceMappingURL=.*$/m, '');
          for (const match of code.matchAll(
            /(?:\bfrom|\bimport\s*\(|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g,
          )) {
            const specifier = match[1] as string;
            const target = posix.normalize(posix.join(posix.dirname(path), specifier));
            if (path.endsWith('.d.ts')) {
              const declaration = target.replace(/\.js$/, '.d.ts');
              if (!specifier.endsWith('.js') && !specifier.endsWith('.json')) {
                problems.push(`${path}: ${specifier} (declarations should import .js)`);
              } else if (!paths.has(declaration) && !paths.has(target)) {
                problems.push(`${path}: ${specifier} -> nothing`);
              }
            } else if (!paths.has(target)) {
              problems.push(`${path}: ${specifier} -> nothing`);
            }
          }
        }),
    ).then(() => expect(problems).toEqual([]));
  });
});

describe('consumers of the installed tarball', { timeout: 90_000 }, () => {
  it('install the locked runtime dependencies (and, for Google, the peers) from the cache, nothing else', async () => {
    for (const [kind, dir] of Object.entries(consumers)) {
      const installed = JSON.parse(
        await readFile(join(dir, 'node_modules/.package-lock.json'), 'utf8'),
      ) as Lockfile;
      const versions = Object.fromEntries(
        Object.entries(installed.packages)
          .filter(([path]) => path !== `node_modules/${NAME}`)
          .map(([path, entry]) => [path, entry.version]),
      );
      const packages =
        kind === 'esm' || kind === 'ts' ? { ...runtimePackages, ...googlePackages } : runtimePackages;
      const expected = Object.fromEntries(
        Object.entries(packages).map(([path, entry]) => [path, entry.version]),
      );
      expect(versions, kind).toEqual(expected);
      expect(installed.packages[`node_modules/${NAME}`]?.version).toBe(repoLock.packages['']?.version);
    }
  });

  it('Confluent only: at most 8 MB installed, no Google SDK; Google features name the install instead', async () => {
    const bytes = await directorySize(join(consumers.confluent, 'node_modules'));
    timings['Confluent-only install (bytes)'] = bytes;
    expect(bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    for (const peer of GOOGLE_PEERS)
      expect(existsSync(join(consumers.confluent, 'node_modules', peer)), peer).toBe(false);
    await writeFile(join(consumers.confluent, 'consumer.mjs'), CONFLUENT_CONSUMER);
    const result = await runOk('node consumer.mjs', node, ['consumer.mjs'], consumers.confluent, 60_000);
    const output = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    expect(output.created).toBe('active');
    for (const refused of [output.viaFacade, output.direct]) {
      expect(refused).toMatchObject({ kind: 'failed-precondition', reason: 'MISSING_DEPENDENCY' });
      expect(refused.message).toContain('npm install google-gax');
    }
    expect(output.channelEmulator).toMatchObject({
      kind: 'failed-precondition',
      reason: 'MISSING_DEPENDENCY',
    });
    expect(output.channelEmulator.message).toContain('npm install @grpc/grpc-js');
  });

  it('the entitlements command runs from the installed package', async () => {
    const bin = join(consumers.confluent, 'node_modules', '.bin', 'entitlements');
    const version = await runOk('entitlements --version', node, [bin, '--version'], consumers.confluent);
    expect(version.stdout.trim()).toBe(repoLock.packages['']?.version);
    const help = await runOk('entitlements --help', node, [bin, '--help'], consumers.confluent);
    expect(help.stdout).toContain('Usage: entitlements');
  });

  it('Google: with the peers installed, the facade creates and waits a Confluent and a Google Cloud Channel entitlement', async () => {
    await writeFile(join(consumers.esm, 'consumer.mjs'), ESM_CONSUMER);
    const result = await runOk('node consumer.mjs', node, ['consumer.mjs'], consumers.esm, 60_000);
    const output = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    expect(output).toMatchObject({
      node: process.version,
      vendors: ['confluent', 'google-channel'],
      confluent: { vendor: 'confluent', state: 'active' },
      google: { vendor: 'google-channel', state: 'active' },
      missing: 'not-found',
      emulators: { confluent: 1, channel: 1 },
    });
    expect(output.google.viaRest).toBe(output.google.id);
    expect(fileURLToPath(output.resolved)).toBe(
      join(consumers.esm, 'node_modules', NAME, 'dist/src/index.js'),
    );
  });

  it('CommonJS: require() of the ESM build creates and reads a Confluent entitlement', async () => {
    await writeFile(join(consumers.cjs, 'consumer.cjs'), CJS_CONSUMER);
    const result = await runOk('node consumer.cjs', node, ['consumer.cjs'], consumers.cjs, 60_000);
    const output = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    expect(output).toMatchObject({
      created: { state: 'active' },
      read: { externalId: 'cjs-consumer-1' },
      missing: 'not-found',
    });
    expect(output.read.id).toBe(output.created.id);
    expect(output.resolved).toBe(join(consumers.cjs, 'node_modules', NAME, 'dist/src/index.js'));
  });

  it('strict TypeScript: compiles with zero errors (skipLibCheck off) and runs', async () => {
    await writeFile(join(consumers.ts, 'consumer.ts'), TS_CONSUMER);
    await writeFile(join(consumers.ts, 'tsconfig.json'), tsconfig(['consumer.ts'], false));
    const compiled = await run(node, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], consumers.ts);
    timings['tsc consumer.ts'] = compiled.ms;
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    const result = await runOk('node out/consumer.js', node, ['out/consumer.js'], consumers.ts, 60_000);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) as string)).toMatchObject({
      confluent: { state: 'active', planId: PLAN_ID },
      google: { state: 'active', offer: 'accounts/C0000001/offers/OFFER-WORKSPACE-STARTER' },
      failure: 'not-found (HTTP 404)',
    });
  });

  it('strict TypeScript: a plan the vendor does not list does not compile', async () => {
    await writeFile(join(consumers.ts, 'bad-plan.ts'), TS_BAD_PLAN);
    await writeFile(join(consumers.ts, 'tsconfig.bad.json'), tsconfig(['bad-plan.ts'], true));
    const compiled = await run(node, [tsc, '-p', 'tsconfig.bad.json', '--pretty', 'false'], consumers.ts);
    timings['tsc bad-plan.ts'] = compiled.ms;
    expect(compiled.code).not.toBe(0);
    const errors = compiled.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bad-plan\.ts\(8,5\): error TS2322: .*'"confluent-cloud-no-such-plan"'/);
  });
});
