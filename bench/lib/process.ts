import { spawn } from 'node:child_process';

export interface Timed {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` to its end and measures its wall time, spawn to exit, with a monotonic clock. */
export function timed(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }));
  });
}

/** Like timed, but a non-zero exit is an error that shows the output. */
export async function mustTime(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  const result = await timed(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  }
  return result;
}

/** `1m2.345s` → 62345. */
function minutesSeconds(text: string): number {
  const [, minutes, seconds] = /^(\d+)m([\d.]+)s$/.exec(text) ?? [];
  return (Number(minutes) * 60 + Number(seconds)) * 1000;
}

/**
 * The CPU time (user + system, all threads) of `command args`, from bash's `times` (1 ms
 * resolution): unlike wall time, it hardly changes when other work shares the cores. Undefined
 * where there is no bash.
 */
export function cpuTimed(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', '"$@"; status=$?; times >&3; exit $status', 'bash', command, ...args], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let times = '';
    child.stdout!.resume();
    child.stderr!.resume();
    child.stdio[3]!.on('data', (chunk: Buffer) => (times += chunk.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      // The second line holds the children's user and system times.
      const children = times.trim().split('\n')[1]?.split(/\s+/) ?? [];
      resolve(code === 0 && children.length === 2 ? minutesSeconds(children[0]) + minutesSeconds(children[1]) : undefined);
    });
  });
}
