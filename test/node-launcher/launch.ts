/**
 * Runs the shipped launcher (assets/node-launcher.sh, built by `npx projen bundle`) as a real process on a
 * simulated runner (test/runner/runner.ts: no Node on PATH, a fresh HOME, `nobody` when root), with a probe
 * program that says which Node ran it, with which arguments, as whose child.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../python/artifacts';
import type { Runner } from '../runner/runner';
import { expectNoSecret, secretsIn } from '../security/secret-scan';

export const LAUNCHER = path.join(ROOT, 'assets', 'node-launcher.sh');

/** The shells the launcher must work under: the system's `sh` (dash here), and busybox's when it is installed. */
export const SHELLS: readonly (readonly [string, readonly string[]])[] = [
  ['sh', ['sh']],
  ...(spawnSync('busybox', ['sh', '-c', 'exit 0']).status === 0 ? [['busybox sh', ['busybox', 'sh']] as const] : []),
];
if (SHELLS.length === 1) process.stderr.write('[node-launcher] busybox is not installed: the launcher is tested under sh only\n');

export interface Launched {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stderr's lines. */
  readonly lines: string[];
  /** What the probe printed, when it ran. */
  readonly probe?: { execPath: string; version: string; args: string[]; ppid: number };
}

/** The probe: a program the launcher hands over to, which reports what it was started as. */
export function writeProbe(dir: string): string {
  const file = path.join(dir, 'probe.js');
  fs.writeFileSync(file, 'console.log(JSON.stringify({ execPath: process.execPath, version: process.version, args: process.argv.slice(2), ppid: process.ppid }));\n', { mode: 0o644 });
  return file;
}

/** `<shell> node-launcher.sh ...args` as the runner's user, with the runner's environment and `env` on top. */
export function launch(
  runner: Runner,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; shell?: readonly string[] } = {},
): Promise<Launched> {
  const [program, ...shellArgs] = options.shell ?? ['sh'];
  const env = Object.fromEntries(Object.entries({ ...runner.env, ...options.env }).filter((e): e is [string, string] => e[1] !== undefined));
  const child = spawn(program, [...shellArgs, runner.reachable(LAUNCHER), ...args], { cwd: runner.home, env, uid: runner.user?.uid, gid: runner.user?.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        expectNoSecret(`the output of node-launcher.sh ${args.join(' ')}`, stdout + stderr, secretsIn(env));
      } catch (error) {
        reject(error);
        return;
      }
      let probe: Launched['probe'];
      try {
        probe = JSON.parse(stdout);
      } catch {
        probe = undefined;
      }
      resolve({ code, stdout, stderr, lines: stderr.split('\n').filter((line) => line !== ''), probe });
    });
  });
}

/** A directory of stand-in programs, to put first on PATH: `programs` maps a name to its sh script body. */
export function standIns(dir: string, programs: Record<string, string>): string {
  const bin = path.join(dir, 'stand-ins');
  fs.mkdirSync(bin, { mode: 0o755 });
  for (const [name, body] of Object.entries(programs)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return bin;
}

/** Every file below `dir` (none if it does not exist), relative to it. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)));
}
