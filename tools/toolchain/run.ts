/** Running the build's commands: output collected, a heartbeat for long builds, the tail of the output on failure. */
import { spawn } from 'node:child_process';
import { Context, ToolchainError } from './types';

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  readonly label: string;
  readonly heartbeat?: boolean;
  readonly hint?: string;
}

/** Runs a command, collecting stdout; on failure throws with the tail of its output. */
export function run(ctx: Context, command: string, args: string[], options: RunOptions): Promise<string> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = options.heartbeat ? setInterval(() => ctx.log(`  ... ${options.label}: ${seconds(started)}`), 30_000) : undefined;
    child.on('error', (err) => {
      if (timer) clearInterval(timer);
      reject(new ToolchainError(`${options.label}: ${err.message}`));
    });
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      if (code === 0) return resolvePromise(stdout);
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-25).join('\n');
      reject(new ToolchainError(`${options.label} failed (exit ${code}) in ${options.cwd}:\n${tail}${options.hint ? `\n${options.hint}` : ''}`));
    });
  });
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
