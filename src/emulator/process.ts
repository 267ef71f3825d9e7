/**
 * The API emulator as a separate process (`node assets/emulator.js`), and the one client of its
 * control plane (EmulatorControl), for an emulator in this process or another; used by the demo, the
 * bench and the tests. For an in-process emulator, use FpgaApiEmulator from ./server.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CONTROL_PREFIX, CONTROL_TOKEN_HEADER } from './control-plane';
import type {
  EmulatorAgency,
  EmulatorMetadata,
  EmulatorProject,
  EmulatorState,
  FaultRule,
  ImagesSpec,
  RateLimit,
  Relation,
  RequestRecord,
} from './server';


const ROOT = path.resolve(__dirname, '..', '..');
export const EMULATOR_BUNDLE = path.join(ROOT, 'assets', 'emulator.js');

const READY_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 5_000;

/** The bundle `npx projen bundle` builds (and `npm test` and `npm run demo` build first). */
function emulatorBundle(): string {
  if (!existsSync(EMULATOR_BUNDLE)) throw new Error(`${EMULATOR_BUNDLE} is missing: build it with \`npx projen bundle\``);
  return EMULATOR_BUNDLE;
}

/** The emulator's ready line: where it listens, its project, and the token its control plane requires. */
export interface EmulatorAddress {
  readonly url: string;
  readonly controlToken: string;
}

export interface EmulatorProcess extends EmulatorAddress {
  readonly projectId: string;
  readonly control: EmulatorControl;
  /** What the process has written to stderr so far: one line per API request, and errors. */
  stderr(): string;
  /** Sends SIGTERM and waits; rejects if the process does not exit with code 0 within 5 s. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Emulators a test forgot to stop must not outlive the test run. Hooked on first use, so importers that never spawn add no listener. */
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));
    exitHookInstalled = true;
  }
  running.add(child);
}

/**
 * Spawns `node assets/emulator.js --port 0 ...args` and waits for its ready line. `env` is added to
 * this process's environment (e.g. FPGA_EMULATOR_ACCESS_KEY / FPGA_EMULATOR_SECRET_KEY).
 */
export async function startEmulatorProcess(options: { args?: string[]; env?: Record<string, string> } = {}): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [emulatorBundle(), '--port', '0', ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );

  const ready = await new Promise<{ url: string; projectId: string; controlToken: string }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator printed no ready line within ${READY_TIMEOUT_MS} ms; stderr:\n${stderr}`));
    }, READY_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)));
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`the emulator's first stdout line is not JSON: ${stdout.slice(0, newline)}`));
      }
    });
    child.once('error', reject);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (code ${code}, signal ${signal}) before it was ready; stderr:\n${stderr}`));
    });
  });

  return {
    ...ready,
    control: new EmulatorControl(ready),
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`the emulator did not exit cleanly on SIGTERM (code ${code}, signal ${signal}); stderr:\n${stderr}`);
    },
  };
}

/**
 * The emulator's /_emulator/ control plane, over HTTP: works for an emulator in any process. Give it
 * the emulator's ready line (startEmulatorProcess does), or the in-process FpgaApiEmulator itself.
 */
export class EmulatorControl {
  constructor(private readonly emulator: EmulatorAddress) {}

  async state(): Promise<EmulatorState> {
    return this.call('GET', 'state');
  }

  async relations(): Promise<Relation[]> {
    return (await this.state()).relations;
  }

  async requests(): Promise<RequestRecord[]> {
    return (await this.call<{ requests: RequestRecord[] }>('GET', 'requests')).requests;
  }

  async addImages(spec: ImagesSpec): Promise<void> {
    await this.call('POST', 'images', spec);
  }

  async addRelations(relations: readonly Relation[]): Promise<void> {
    await this.call('POST', 'relations', { relations });
  }

  /** `times: Infinity` is sent as -1, which JSON can carry. */
  async addFaults(rules: readonly FaultRule[]): Promise<void> {
    await this.call('POST', 'faults', { faults: rules.map((rule) => (rule.times === Infinity ? { ...rule, times: -1 } : rule)) });
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }

  async setRateLimit(limit: RateLimit | undefined): Promise<void> {
    await this.call('PUT', 'rate-limit', limit ?? null);
  }

  async setClockOffset(ms: number): Promise<void> {
    await this.call('PUT', 'clock', { offsetMs: ms });
  }

  async setProjects(projects: readonly EmulatorProject[]): Promise<void> {
    await this.call('PUT', 'projects', { projects });
  }

  async setAgencies(agencies: readonly EmulatorAgency[]): Promise<void> {
    await this.call('PUT', 'agencies', { agencies });
  }

  async setMetadata(settings: EmulatorMetadata): Promise<void> {
    await this.call('PUT', 'metadata', settings);
  }

  /** undefined removes the cap (sent as null). */
  async setTemporaryCredentialTtl(ms: number | undefined): Promise<void> {
    await this.call('PUT', 'temporary-credentials', { ttlMs: ms ?? null });
  }

  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.emulator.url}${CONTROL_PREFIX}${route}`, {
      method,
      headers: { [CONTROL_TOKEN_HEADER]: this.emulator.controlToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`emulator control ${method} ${CONTROL_PREFIX}${route} failed with ${response.status}: ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
