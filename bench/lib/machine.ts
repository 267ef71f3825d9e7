import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** Where the numbers came from: they mean little without it. */
export interface Machine {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly terraform: string;
  /** 1-minute load average when the run started and ended: others' work shares the machine. */
  readonly loadAverage: { start: number; end?: number };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // Not Linux: os.cpus() knows it too.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return os.availableParallelism();
  }
}

export function describeMachine(terraform: string): Machine {
  return {
    date: new Date().toISOString(),
    cpus: nproc(),
    cpuModel: cpuModel(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    terraform,
    loadAverage: { start: os.loadavg()[0] },
  };
}
