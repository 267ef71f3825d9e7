/* eslint-disable import/no-extraneous-dependencies -- cdktf-cli's own pseudo-terminal, already installed with it */
import { spawn as spawnOnTerminal } from '@cdktf/node-pty-prebuilt-multiarch';
/* eslint-enable import/no-extraneous-dependencies */
import { DEMO_PROJECT_ID, type FpgaApiEmulator } from '../../src/emulator/server';
import { ACCESS_KEY, childEnvironment, CLI_BUNDLE, type Env, FAST_RETRIES, type HandlerRun, recordRun, runHandler, SECRET_KEY } from '../handler/harness';

/**
 * Runs the operator CLI (assets/cli.js) as a person or a script would: a process with exactly the
 * environment a test gives, against the emulator (test/handler/harness.ts starts both), or on a
 * pseudo-terminal, answering its question.
 */

/** Keys in the environment and fast retries: what every CLI test starts from. */
export function keysOnly(overrides: Env = {}): Env {
  return { HW_ACCESS_KEY: ACCESS_KEY, HW_SECRET_KEY: SECRET_KEY, ...FAST_RETRIES, ...overrides };
}

/** The flags that point a command at the emulator, in its one project. */
export function at(emu: FpgaApiEmulator): string[] {
  return ['--endpoint', emu.url, '--project-id', DEMO_PROJECT_ID];
}

export function runCli(args: readonly string[], env: Env, input?: string): Promise<HandlerRun> {
  return runHandler(args, env, input, CLI_BUNDLE);
}

/**
 * The CLI on a pseudo-terminal (stdin, stdout and stderr all on it, as in a shell), typing `answer`
 * (none: nothing) and Enter once it asks `[y/N]`. What the terminal showed, as text, is `stdout`; `stderr` is empty.
 */
export function runOnTerminal(args: readonly string[], env: Env, answer?: string): Promise<HandlerRun & { readonly asked: boolean }> {
  const started = Date.now();
  const childEnv = childEnvironment(env);
  const terminal = spawnOnTerminal(process.execPath, [CLI_BUNDLE, ...args], { env: childEnv, cols: 300, rows: 40 });
  let shown = '';
  let asked = false;
  return new Promise((resolve, reject) => {
    terminal.onData((data) => {
      shown += data;
      if (!asked && shown.includes('[y/N] ')) {
        asked = true;
        // Asked without an answer to give: Enter alone, which declines, so that the test fails rather than hangs.
        terminal.write(`${answer ?? ''}\r`);
      }
    });
    terminal.onExit(({ exitCode }) => {
      // What a person reads: readline's cursor moves (ESC [ … G, J) are not text.
      const text = shown.replace(/\r/g, '').replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
      try {
        resolve({ ...recordRun({ code: exitCode, stdout: text, stderr: '', ms: Date.now() - started }, `cli.js ${args.join(' ')} on a terminal`, childEnv), asked });
      } catch (error) {
        reject(error);
      }
    });
  });
}
