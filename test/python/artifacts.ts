/**
 * The jsii build outputs that the binding and API-doc tests read: the assembly (`.jsii`, from
 * `npx projen compile`) and the Python wheel (dist/python, from `npx projen package:python`). `npm test`
 * builds both before jest. A test run on its own rebuilds whichever is older than its inputs, so it never
 * checks stale output; a lock keeps parallel test files (and parallel jest runs) from building at once.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
/** Gitignored; also holds the Python wheelhouse (see venv.ts). */
export const CACHE_DIR = path.join(ROOT, '.toolchain', 'python');
export const ASSEMBLY = path.join(ROOT, '.jsii');

const PROJEN = path.join(ROOT, 'node_modules', '.bin', 'projen');
const ASSEMBLY_INPUTS = ['src', 'package.json', 'tsconfig.json', 'README.md'];
const WHEEL_INPUTS = ['.jsii', 'assets', 'package.json', 'README.md', 'LICENSE'];

/** `.jsii`, compiled from the current sources. */
export async function ensureJsiiAssembly(): Promise<string> {
  if (isFresh(ASSEMBLY, ASSEMBLY_INPUTS)) return ASSEMBLY;
  await withBuildLock(async () => {
    if (!isFresh(ASSEMBLY, ASSEMBLY_INPUTS)) await run(PROJEN, ['compile'], { cwd: ROOT });
  });
  return ASSEMBLY;
}

/** The wheel jsii-pacmak builds from the current assembly and bundles. */
export async function ensurePythonWheel(): Promise<string> {
  await ensureJsiiAssembly();
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const wheel = path.join(ROOT, 'dist', 'python', `cdktf_fpga_image_association-${version}-py3-none-any.whl`);
  if (isFresh(wheel, WHEEL_INPUTS)) return wheel;
  if (!fs.existsSync(path.join(ROOT, 'assets', 'handler.js'))) {
    throw new Error('assets/handler.js is missing: run `npx projen bundle` first (`npm test` does)');
  }
  await withBuildLock(async () => {
    if (!isFresh(wheel, WHEEL_INPUTS)) await run(PROJEN, ['package:python'], { cwd: ROOT });
  });
  return wheel;
}

/** Runs a command; resolves with its stdout, or rejects with everything it printed. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (err) => reject(new Error(`${command} could not start: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`\`${[command, ...args].join(' ')}\` exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
}

/** Serializes builds across processes; a lock whose owner died is taken over. */
export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(CACHE_DIR, 'build.lock');
  const owner = path.join(lock, 'pid');
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(owner, String(process.pid));
      break;
    } catch (err: any) {
      if (err.code !== 'EEXIST') throw err;
    }
    if (abandoned(lock, owner)) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}: remove it if no build is running`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function abandoned(lock: string, owner: string): boolean {
  const pid = Number(fs.existsSync(owner) ? fs.readFileSync(owner, 'utf8') : '');
  // No owner yet: abandoned only if its creator died between mkdir and write, long ago.
  if (!pid) return ageMs(lock) > 30_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err: any) {
    return err.code !== 'EPERM';
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function isFresh(output: string, inputs: string[]): boolean {
  if (!fs.existsSync(output)) return false;
  const built = fs.statSync(output).mtimeMs;
  return inputs.every((input) => newestMtime(path.join(ROOT, input)) <= built);
}

function newestMtime(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(file).reduce((newest, name) => Math.max(newest, newestMtime(path.join(file, name))), stat.mtimeMs);
}
