import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACCESS_KEY, envFor, FPGA_IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, SECRET_KEY, useEmulator, type Env, type HandlerRun } from './harness';
import { DEMO_PROJECT_ID } from '../../src/emulator/server';

/**
 * The launcher (src/handler/launcher.ts) compiles the handler's program with V8's code cache, kept in
 * a private per-user directory. Real handler processes against the emulator; what the tests look at
 * is what a run leaves on disk: a cache V8 accepts is kept as it is (same inode, same time), one it
 * rejects or that cannot be trusted is replaced, and an untrusted place is never written to.
 */

const context = useEmulator();
const CACHE_FILE = /^handler-[0-9a-f]{16}-node-v\d+\.\d+\.\d+-\w+\.code-cache$/;

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-code-cache-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** An associate of a new pair (so every run sends its request), with `env` on top. */
async function associate(env: Env): Promise<HandlerRun> {
  const run = await runHandler(['associate'], envFor(context.emu, { FPGA_ASSOC_IMAGE_ID: randomUUID(), ...env }));
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('associated FPGA image') });
  return run;
}

/** The one cache file in `directory`, and nothing else there (no file left aside half-written). */
function onlyCacheFile(directory: string): string {
  const names = readdirSync(directory);
  expect(names).toEqual([expect.stringMatching(CACHE_FILE)]);
  return path.join(directory, names[0]);
}

function permissions(file: string): string {
  return (statSync(file).mode % 0o1000).toString(8);
}

function identity(file: string): { ino: number; mtimeMs: number } {
  const { ino, mtimeMs } = statSync(file);
  return { ino, mtimeMs };
}

/** A valid cache, made by a first run in a directory of its own. */
async function validCache(): Promise<Buffer> {
  const directory = path.join(scratch, 'made');
  await associate({ FPGA_ASSOC_CODE_CACHE: directory });
  return readFileSync(onlyCacheFile(directory));
}

describe('a cache V8 accepts', () => {
  it('is made by the first run, private, and used as it is by the next ones', async () => {
    const directory = path.join(scratch, 'cache');
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(permissions(directory)).toBe('700');
    const file = onlyCacheFile(directory);
    expect(permissions(file)).toBe('600');
    const made = identity(file);

    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    const status = await runHandler(['status'], envFor(context.emu, { FPGA_ASSOC_CODE_CACHE: directory }));
    expect(status.code).toBe(0);
    expect(identity(onlyCacheFile(directory))).toEqual(made);
  });

  it('lives in the per-user directory of the temp dir by default', async () => {
    await associate({ TMPDIR: scratch });
    const userDirectory = path.join(scratch, `fpga-image-association-${process.getuid!()}`);
    expect(permissions(userDirectory)).toBe('700');
    onlyCacheFile(userDirectory);
  });

  it('is made once by runs that start together, whole', async () => {
    const directory = path.join(scratch, 'cache');
    await Promise.all(Array.from({ length: 8 }, () => associate({ FPGA_ASSOC_CODE_CACHE: directory })));
    const made = identity(onlyCacheFile(directory));
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(identity(onlyCacheFile(directory))).toEqual(made);
  });

  it('holds no credential and no input value', async () => {
    const directory = path.join(scratch, 'cache');
    await associate({ FPGA_ASSOC_CODE_CACHE: directory, FPGA_ASSOC_IMAGE_ID: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b' });
    const cache = readFileSync(onlyCacheFile(directory));
    for (const value of [SECRET_KEY, ACCESS_KEY, DEMO_PROJECT_ID, FPGA_IMAGE_ID, 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', context.emu.url]) {
      expect(cache.includes(Buffer.from(value, 'latin1'))).toBe(false);
      expect(cache.includes(Buffer.from(value, 'utf16le'))).toBe(false);
    }
  });
});

describe('a cache that cannot be used', () => {
  it.each([
    ['garbage', () => Buffer.from('not a V8 code cache '.repeat(100))],
    ['truncated', async () => (await validCache()).subarray(0, 5000)],
    ['empty', () => Buffer.alloc(0)],
  ])('%s: the run compiles from source and replaces it', async (_name, content) => {
    const directory = path.join(scratch, 'cache');
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    const file = onlyCacheFile(directory);
    writeFileSync(file, await content());
    const bad = identity(file);

    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(identity(onlyCacheFile(directory)).ino).not.toBe(bad.ino);
    const replaced = identity(file);
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(identity(onlyCacheFile(directory))).toEqual(replaced);
  });

  it('a valid cache that others may write is not trusted: replaced by a private one', async () => {
    const valid = await validCache();
    const directory = path.join(scratch, 'cache');
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    const file = onlyCacheFile(directory);
    writeFileSync(file, valid);
    chmodSync(file, 0o666);
    const writable = identity(file);

    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(identity(onlyCacheFile(directory)).ino).not.toBe(writable.ino);
    expect(permissions(file)).toBe('600');
  });

  it('a link in the cache\'s place is not followed: replaced by a file, its target untouched', async () => {
    const valid = await validCache();
    const directory = path.join(scratch, 'cache');
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    const file = onlyCacheFile(directory);
    const target = path.join(scratch, 'elsewhere');
    writeFileSync(target, valid);
    rmSync(file);
    symlinkSync(target, file);

    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(target).equals(valid)).toBe(true);
  });
});

describe('where no cache is kept', () => {
  it('a directory others may write to is never written to', async () => {
    const directory = path.join(scratch, 'shared');
    mkdirSync(directory);
    chmodSync(directory, 0o777);
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(readdirSync(directory)).toEqual([]);
  });

  it.each([
    ['off', 'off', []],
    ['a relative path', 'code-cache', ['fpga-image-association: FPGA_ASSOC_CODE_CACHE="code-cache" ignored: expected an absolute directory, or off. This run compiles without a code cache']],
  ])('FPGA_ASSOC_CODE_CACHE=%s: none, anywhere', async (_name, setting, notes) => {
    const cwd = process.cwd();
    const run = await associate({ FPGA_ASSOC_CODE_CACHE: setting, TMPDIR: scratch });
    expect(lines(run).slice(0, -1)).toEqual(notes);
    expect(readdirSync(scratch)).toEqual([]);
    expect(existsSync(path.join(cwd, setting))).toBe(false);
  });

  it('a place that cannot be made into a directory: the run goes on without', async () => {
    const file = path.join(scratch, 'a-file');
    writeFileSync(file, '');
    await associate({ FPGA_ASSOC_CODE_CACHE: path.join(file, 'cache') });
    await associate({ FPGA_ASSOC_CODE_CACHE: file });
    expect(readdirSync(scratch)).toEqual(['a-file']);
  });

  // Only root can give a directory away (CI runs as root); elsewhere this one is reported as skipped.
  (process.getuid?.() === 0 ? it : it.skip)('a private directory of another user is never written to', async () => {
    const directory = path.join(scratch, 'theirs');
    mkdirSync(directory, { mode: 0o700 });
    chownSync(directory, 65534, 65534);
    await associate({ FPGA_ASSOC_CODE_CACHE: directory });
    expect(readdirSync(directory)).toEqual([]);
  });
});

itNeverPrintsCredentials();
