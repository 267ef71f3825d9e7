/**
 * The launcher (src/node-launcher/node-launcher.sh) as Terraform runs it, a real process under sh (and busybox sh),
 * on a simulated runner without Node, fetching the real pinned tarball from a loopback npm registry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesBelow, launch, Launched, SHELLS, standIns, writeProbe } from './launch';
import { NpmRegistry, RegistryMode, startNpmRegistry } from '../runner/npm-registry';
import { ensurePinnedTarballs, PinnedTarball, readPins } from '../runner/pinned-node';
import { createRunner, Runner } from '../runner/runner';

const { version: PINNED } = readPins();
/** Every failure's line says what to do, among these. */
const WHAT_TO_DO = /install Node\.js 20\.19\+ on PATH, or set FPGA_ASSOC_NODE to the absolute path of one/;

let tarball: PinnedTarball;
beforeAll(async () => {
  [tarball] = await ensurePinnedTarballs();
}, 300_000);

let runner: Runner;
let registry: NpmRegistry;
let probe: string;
/** Runners and registries of the test, stopped after it. */
async function setUp(mode: RegistryMode = 'serve'): Promise<void> {
  registry = await startNpmRegistry([tarball], mode);
  runner = await createRunner({ registry: registry.url });
  probe = writeProbe(runner.home);
}
afterEach(async () => {
  await registry?.stop();
  runner?.cleanup();
});

/** The pinned Node in the runner's cache, where a run that fetched it runs it from. */
const cachedNode = () => path.join(runner.nodeCache, `${tarball.name}-${PINNED}`, 'bin', 'node');
/** The runner's PATH with `dir` first. */
const pathWith = (dir: string) => `${dir}:${runner.env.PATH}`;
/** A directory holding a `node` that is this test process's Node (20.19+), as an image with Node has. */
function nodeOnPath(): string {
  const dir = path.join(runner.home, 'node-bin');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  return dir;
}
/**
 * A `node` that says it is Node 18, for the version check only: no real old Node can be had offline. It prints its
 * version for any arguments, so a launcher that ran a program with it would print no probe output.
 */
const OLD_NODE = { node: 'echo v18.20.4' };

function expectOneLineFailure(result: Launched, ...patterns: RegExp[]): void {
  expect(result.code).toBe(2);
  expect(result.lines).toHaveLength(1);
  expect(result.lines[0]).toMatch(/^fpga-image-association: /);
  for (const pattern of patterns) expect(result.lines[0]).toMatch(pattern);
  expect(result.probe).toBeUndefined();
}

describe.each(SHELLS)('under %s', (_, shell) => {
  const run = (args: readonly string[], env: Record<string, string | undefined> = {}) => launch(runner, args, { env, shell });
  beforeEach(() => setUp());

  test('auto with a Node 20.19+ on PATH: that Node runs the program, with its arguments intact, as the caller\'s child (exec); nothing fetched', async () => {
    const bin = nodeOnPath();
    const result = await run([probe, 'associate', 'two words', '', '$HOME;*'], { PATH: pathWith(bin) });
    expect(result.lines).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.probe).toEqual({ execPath: process.execPath, version: process.version, args: ['associate', 'two words', '', '$HOME;*'], ppid: process.pid });
    const which = await run(['--which'], { PATH: pathWith(bin) });
    expect(which).toMatchObject({ code: 0, stdout: `node ${process.version} from PATH: ${path.join(bin, 'node')}\n`, stderr: '' });
    expect(registry.downloads()).toBe(0);
    // Only the note that this Node was checked, which spares later runs its `node --version`.
    expect(filesBelow(runner.nodeCache)).toEqual(['checked-node']);
  });

  test('a Node on PATH that is replaced after it was checked is checked again', async () => {
    const bin = nodeOnPath();
    expect((await run([probe], { PATH: pathWith(bin), FPGA_ASSOC_NODE: 'local' })).code).toBe(0);
    const old = standIns(runner.home, OLD_NODE);
    fs.rmSync(path.join(bin, 'node'));
    fs.symlinkSync(path.join(old, 'node'), path.join(bin, 'node'));
    expectOneLineFailure(await run([probe], { PATH: pathWith(bin), FPGA_ASSOC_NODE: 'local' }), /is v18\.20\.4/);
  });

  test('auto without Node: the first run fetches the pinned Node once, says what, from where, into which directory; later runs use the cache', async () => {
    const before = await run(['--which']);
    expect(before).toMatchObject({ code: 0, stdout: `would fetch Node.js ${PINNED} (${tarball.name}) from ${registry.tarballUrl(tarball)} into ${runner.nodeCache}/ with curl (no node on PATH)\n`, stderr: '' });
    expect(registry.downloads()).toBe(0);

    const first = await run([probe, 'associate']);
    expect(first.code).toBe(0);
    expect(first.lines).toEqual([`fpga-image-association: no node on PATH: fetching Node.js ${PINNED} (${tarball.name}) from ${registry.tarballUrl(tarball)} into ${runner.nodeCache}/`]);
    expect(first.probe).toMatchObject({ execPath: cachedNode(), version: `v${PINNED}`, args: ['associate'], ppid: process.pid });
    expect(registry.downloads()).toBe(1);

    const second = await run([probe, 'disassociate']);
    expect(second).toMatchObject({ code: 0, lines: [] });
    expect(second.probe).toMatchObject({ execPath: cachedNode(), args: ['disassociate'] });
    expect(await run(['--which'])).toMatchObject({ code: 0, stdout: `the pinned Node.js ${PINNED}, cached: ${cachedNode()}\n` });
    expect(registry.downloads()).toBe(1);
  });

  test('an old Node on PATH: auto fetches the pinned Node instead; local refuses it in one line', async () => {
    const bin = standIns(runner.home, OLD_NODE);
    const old = path.join(bin, 'node');
    const local = await run([probe], { PATH: pathWith(bin), FPGA_ASSOC_NODE: 'local' });
    expectOneLineFailure(local, new RegExp(`FPGA_ASSOC_NODE=local and the node on PATH \\(${old}\\) is v18\\.20\\.4`), WHAT_TO_DO, /unset FPGA_ASSOC_NODE/);
    expect((await run(['--which'], { PATH: pathWith(bin), FPGA_ASSOC_NODE: 'local' })).code).toBe(2);
    expect(registry.downloads()).toBe(0);

    const auto = await run([probe], { PATH: pathWith(bin) });
    expect(auto.code).toBe(0);
    expect(auto.lines).toEqual([expect.stringContaining(`the node on PATH (${old}) is v18.20.4: fetching Node.js ${PINNED}`)]);
    expect(auto.probe).toMatchObject({ execPath: cachedNode() });
    expect(registry.downloads()).toBe(1);
  });

  test('local with no Node on PATH: one line, nothing fetched, and --which says the same', async () => {
    const result = await run([probe], { FPGA_ASSOC_NODE: 'local' });
    expectOneLineFailure(result, /FPGA_ASSOC_NODE=local and no node on PATH: /, WHAT_TO_DO);
    const which = await run(['--which'], { FPGA_ASSOC_NODE: 'local' });
    expect(which).toMatchObject({ code: 2, stdout: '', lines: result.lines });
    expect(registry.downloads()).toBe(0);
    expect(fs.existsSync(runner.nodeCache)).toBe(false);
  });

  test('drift-query without a Node: the line is also its answer on stdout (associated unknown) and it exits 0, so the drift check warns instead of failing the plan; other operations still fail', async () => {
    for (const node of ['local', '/no/such "node"\\here']) {
      const query = await run([probe, 'drift-query'], { FPGA_ASSOC_NODE: node });
      expect(query.code).toBe(0);
      expect(query.lines).toHaveLength(1);
      expect(query.lines[0]).toMatch(/^fpga-image-association: FPGA_ASSOC_NODE=/);
      expect(JSON.parse(query.stdout)).toEqual({ associated: 'unknown', problem: query.lines[0].replace(/^fpga-image-association: /, '') });
      expectOneLineFailure(await run([probe, 'associate'], { FPGA_ASSOC_NODE: node }), /^fpga-image-association: FPGA_ASSOC_NODE=/);
    }
    expect(registry.downloads()).toBe(0);
  });

  test('a node on PATH that prints more than a version: the line and the drift-query answer stay one line each', async () => {
    const odd = standIns(runner.home, { node: "printf 'v18.0.0\\nwarning:\\tshim\\n'" });
    const query = await run([probe, 'drift-query'], { PATH: `${odd}:${runner.env.PATH}`, FPGA_ASSOC_NODE: 'local' });
    expect(query.code).toBe(0);
    expect(query.lines).toHaveLength(1);
    expect(query.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(query.stdout).problem).toMatch(/is v18\.0\.0[^\n\t]*$/);
  });

  test('local with a Node on PATH runs it', async () => {
    const bin = nodeOnPath();
    const result = await run([probe], { PATH: pathWith(bin), FPGA_ASSOC_NODE: 'local' });
    expect(result).toMatchObject({ code: 0, lines: [] });
    expect(result.probe?.execPath).toBe(process.execPath);
    const which = await run(['--which'], { PATH: pathWith(bin), FPGA_ASSOC_NODE: 'local' });
    expect(which).toMatchObject({ code: 0, stdout: `node ${process.version} from PATH: ${path.join(bin, 'node')}\n`, stderr: '' });
  });

  test('an explicit path runs that Node, whatever PATH holds; a missing, non-Node or relative one is refused in one line', async () => {
    const installed = await runner.installNode(tarball);
    const bin = standIns(runner.home, OLD_NODE);
    const explicit = await run([probe, 'status'], { PATH: pathWith(bin), FPGA_ASSOC_NODE: installed });
    expect(explicit).toMatchObject({ code: 0, lines: [] });
    expect(explicit.probe).toMatchObject({ execPath: installed, version: `v${PINNED}`, args: ['status'] });
    expect(await run(['--which'], { FPGA_ASSOC_NODE: installed })).toMatchObject({ code: 0, stdout: `node v${PINNED} from FPGA_ASSOC_NODE: ${installed}\n` });

    const missing = '/opt/no such node/bin/node';
    expectOneLineFailure(await run([probe], { FPGA_ASSOC_NODE: missing }), new RegExp(`FPGA_ASSOC_NODE=${missing} is not an executable file`));
    expect((await run(['--which'], { FPGA_ASSOC_NODE: missing })).code).toBe(2);
    expectOneLineFailure(await run([probe], { FPGA_ASSOC_NODE: path.join(bin, 'node') }), /is v18\.20\.4, not Node\.js 20\.19\+/);
    expectOneLineFailure(await run([probe], { FPGA_ASSOC_NODE: 'bin/node' }), /FPGA_ASSOC_NODE=bin\/node is none of auto, local or an absolute path/);
    expect(registry.downloads()).toBe(0);
  });

  test('a tampered tarball is refused, naming the file and both digests, before anything is extracted or run; the next good run recovers', async () => {
    await registry.setMode('corrupt');
    const refused = await run([probe]);
    expect(refused.code).toBe(2);
    const hex = (integrity: string) => Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
    expect(refused.lines).toHaveLength(2);
    expect(refused.lines[0]).toMatch(/: fetching Node\.js/);
    expect(refused.lines[1]).toBe(
      `fpga-image-association: refused ${tarball.name}-${PINNED}.tgz from ${registry.tarballUrl(tarball)}: its sha512 is ${hex(registry.corruptIntegrity(tarball))}, `
      + `the pinned one is ${hex(tarball.integrity)}; nothing was extracted or run. Point npm_config_registry at a registry or mirror that serves ${tarball.name} unchanged, `
      + 'or install Node.js 20.19+ on PATH, or set FPGA_ASSOC_NODE to the absolute path of one',
    );
    expect(refused.probe).toBeUndefined();
    // Nothing of the download is left: no tarball, no extracted file, only the lock and the failure's line.
    expect(filesBelow(runner.nodeCache).sort()).toEqual([`${tarball.name}-${PINNED}.failed`, `${tarball.name}-${PINNED}.lock`]);

    await registry.setMode('serve');
    const recovered = await run([probe]);
    expect(recovered.code).toBe(0);
    expect(recovered.probe).toMatchObject({ execPath: cachedNode(), version: `v${PINNED}` });
    expect(registry.downloads()).toBe(2);
  });

  test('a partial or foreign cache entry is never used: it is replaced by a verified one', async () => {
    const entry = path.dirname(path.dirname(cachedNode()));
    // What a copy without the launcher's verification leaves: a `node` that is not the pinned one, and a download aside.
    fs.mkdirSync(path.join(entry, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(entry, 'bin', 'node'), '#!/bin/sh\necho partial\n', { mode: 0o755 });
    fs.mkdirSync(path.join(runner.nodeCache, '.fetch.1'));
    fs.writeFileSync(path.join(runner.nodeCache, '.fetch.1', 'download'), 'partial');
    runner.adopt(runner.nodeCache);
    expect((await run(['--which'])).stdout).toMatch(/^would fetch /);
    const result = await run([probe]);
    expect(result.code).toBe(0);
    expect(result.probe).toMatchObject({ execPath: cachedNode(), version: `v${PINNED}` });
    expect(registry.downloads()).toBe(1);

    // An entry verified against another digest (another pin) is not this one either.
    fs.writeFileSync(path.join(entry, '.verified'), `${'0'.repeat(128)}\n`);
    expect((await run(['--which'])).stdout).toMatch(/^would fetch /);
  });

  test('10 launchers at once, as Terraform starts handlers: one download between them, and all run', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (__, i) => run([probe, String(i)])));
    expect(results.map((r) => r.code)).toEqual(Array(10).fill(0));
    expect(results.map((r) => r.probe?.args)).toEqual(Array.from({ length: 10 }, (__, i) => [String(i)]));
    expect(results.every((r) => r.probe?.execPath === cachedNode())).toBe(true);
    expect(results.flatMap((r) => r.lines).filter((line) => line.includes('fetching'))).toHaveLength(1);
    expect(registry.downloads()).toBe(1);
  });

  test.each([
    ['refuses connections', 'closed' as const, /failed \(curl: \(7\) Failed to connect to 127\.0\.0\.1 port \d+/],
    ['accepts connections and never answers', 'silent' as const, /failed \(nothing received for 20 s\)/],
  ])('a registry that %s: one clear line, nothing run', async (__, mode, cause) => {
    await registry.setMode(mode);
    const result = await run([probe]);
    expect(result.code).toBe(2);
    expect(result.lines).toHaveLength(2);
    expect(result.lines[0]).toMatch(/: fetching Node\.js/);
    expect(result.lines[1]).toMatch(new RegExp(`^fpga-image-association: no node on PATH, and fetching Node\\.js ${PINNED.replace(/\./g, '\\.')} from ${registry.tarballUrl(tarball).replace(/\./g, '\\.')} `));
    expect(result.lines[1]).toMatch(cause);
    expect(result.lines[1]).toMatch(/point npm_config_registry at a registry or mirror that serves node-linux-/);
    expect(result.lines[1]).toMatch(WHAT_TO_DO);
    expect(result.probe).toBeUndefined();
    expect(filesBelow(runner.nodeCache).filter((f) => !/\.(lock|failed)$/.test(f))).toEqual([]);
  });
});

test('10 launchers at once and a registry that never answers: one attempt between them, and each fails with its line', async () => {
  await setUp('silent');
  const results = await Promise.all(Array.from({ length: 10 }, () => launch(runner, [probe])));
  expect(results.map((r) => r.code)).toEqual(Array(10).fill(2));
  expect(results.flatMap((r) => r.lines).filter((line) => line.includes(': fetching Node.js'))).toHaveLength(1);
  const failures = results.map((r) => r.lines.filter((line) => !line.includes(': fetching Node.js')));
  expect(failures.every((lines) => lines.length === 1)).toBe(true);
  expect(new Set(failures.flat()).size).toBe(1);
  expect(failures[0][0]).toMatch(/failed \(nothing received for 20 s\): point npm_config_registry at /);
  expect(results.every((r) => r.probe === undefined)).toBe(true);
});

describe('the download tool and the registry setting', () => {
  beforeEach(() => setUp());
  const without = (...names: string[]) => names.forEach((name) => fs.rmSync(path.join(runner.bin, name), { force: true }));

  test.each([
    ['wget, without curl', ['curl']],
    ['busybox wget, without curl and wget', ['curl', 'wget']],
  ])('fetches with %s', async (__, absent) => {
    if (absent.includes('wget') && !fs.existsSync(path.join(runner.bin, 'busybox'))) return console.warn('skipped: busybox is not installed');
    without(...absent);
    expect((await launch(runner, ['--which'])).stdout).toContain(` with ${absent.includes('wget') ? 'busybox wget' : 'wget'} `);
    const result = await launch(runner, [probe]);
    expect(result.code).toBe(0);
    expect(result.probe).toMatchObject({ execPath: cachedNode() });
    expect(registry.downloads()).toBe(1);
  });

  test('with no download tool: one line, nothing fetched', async () => {
    without('curl', 'wget', 'busybox');
    const result = await launch(runner, [probe]);
    expectOneLineFailure(result, /no node on PATH, and there is no curl, wget or busybox on PATH to fetch the pinned Node with: /, WHAT_TO_DO);
    expect(registry.downloads()).toBe(0);
  });

  test.each(['sha512sum', 'tar'])('with no %s: one line saying so, before anything is fetched', async (tool) => {
    without(tool);
    expectOneLineFailure(await launch(runner, [probe]), new RegExp(`no node on PATH, and there is no ${tool} on PATH to check and unpack the pinned Node with: `), WHAT_TO_DO);
    expect(registry.downloads()).toBe(0);
  });

  test('a login in npm_config_registry is used to fetch, and never shown: not in --which, the fetch line or a failure (the scan of every launch checks it)', async () => {
    const withLogin = registry.url.replace('://', '://deploy:S3cretT0ken-of-the-mirror@');
    const env = { npm_config_registry: withLogin };
    expect((await launch(runner, ['--which'], { env })).stdout).toContain(`from ${registry.url}${tarball.name}/-/`);
    await registry.setMode('closed');
    const failed = await launch(runner, [probe], { env });
    expect(failed.code).toBe(2);
    expect(failed.lines).toEqual([expect.stringContaining(`from ${registry.url}${tarball.name}/-/`), expect.stringContaining(`fetching Node.js ${PINNED} from ${registry.url}`)]);
    await registry.setMode('serve');
    const fetched = await launch(runner, [probe], { env });
    expect(fetched.code).toBe(0);
    expect(fetched.lines).toEqual([expect.stringContaining(`from ${registry.url}${tarball.name}/-/`)]);
  });

  test('npm_config_registry is read in any case npm reads it, and defaults to the public registry', async () => {
    const which = (env: Record<string, string | undefined>) => launch(runner, ['--which'], { env: { npm_config_registry: undefined, ...env } });
    const address = `/${tarball.name}/-/${tarball.name}-${PINNED}.tgz`;
    expect((await which({ NPM_CONFIG_REGISTRY: 'https://mirror.example/npm/' })).stdout).toContain(`from https://mirror.example/npm${address} `);
    expect((await which({ Npm_Config_Registry: 'https://other.example' })).stdout).toContain(`from https://other.example${address} `);
    expect((await which({})).stdout).toContain(`from https://registry.npmjs.org${address} `);
  });

  test('the cache is in XDG_CACHE_HOME when set; with neither it nor HOME, one line', async () => {
    const xdg = path.join(runner.home, 'xdg');
    expect((await launch(runner, ['--which'], { env: { XDG_CACHE_HOME: xdg } })).stdout).toContain(` into ${xdg}/fpga-image-association/ `);
    expectOneLineFailure(await launch(runner, [probe], { env: { HOME: undefined } }), /neither XDG_CACHE_HOME nor HOME is set/, WHAT_TO_DO);
  });

  test('no program to run: a usage line', async () => {
    expectOneLineFailure(await launch(runner, []), /usage: sh node-launcher\.sh <script\.js> \[args\.\.\.\], or sh node-launcher\.sh --which/);
  });
});

describe('where the pinned Node cannot run: one line with the fix for that platform, nothing fetched', () => {
  beforeEach(() => setUp());

  // The launcher asks `uname -sm` and `getconf GNU_LIBC_VERSION`: stand-ins first on PATH play other machines.
  test.each([
    ['macOS', { uname: 'echo Darwin arm64' }, /no node on PATH, and the npm registry has no pinned Node for macOS: brew install node@20/],
    ['FreeBSD', { uname: 'echo FreeBSD amd64' }, /the pinned Node is built for Linux only, not FreeBSD: install Node\.js 20\.19\+/],
    ['another CPU', { uname: 'echo Linux riscv64' }, /the pinned Node is built for x64 and arm64 only, not riscv64: install Node\.js 20\.19\+/],
    ['musl (Alpine)', { getconf: 'exit 1' }, /this Linux has no glibc .*musl, as on Alpine.*: apk add nodejs/],
    ['an old glibc', { getconf: 'echo glibc 2.17' }, /the pinned Node needs glibc 2\.28\+, and this Linux has glibc 2\.17: install Node\.js 20\.19\+/],
  ])('%s', async (__, programs, fix) => {
    const env = { PATH: `${standIns(runner.home, programs)}:${runner.env.PATH}` };
    const result = await launch(runner, [probe], { env });
    expectOneLineFailure(result, fix, /FPGA_ASSOC_NODE/);
    expect(await launch(runner, ['--which'], { env })).toMatchObject({ code: 2, stdout: '', lines: result.lines });
    expect(registry.downloads()).toBe(0);
    expect(fs.existsSync(runner.nodeCache)).toBe(false);
  });
});
