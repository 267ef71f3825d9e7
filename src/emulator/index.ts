#!/usr/bin/env node
import { logLine, readCommandLine, UsageError, USAGE } from './cli';
import { FpgaApiEmulator } from './server';

/** The standalone emulator (`node assets/emulator.js`); see USAGE and docs/EMULATOR.md. */

const EXIT_USAGE = 2;

/** Resolves with an exit code when done, or undefined once the server is up (a signal ends it). */
async function main(): Promise<number | undefined> {
  const commandLine = readCommandLine(process.argv.slice(2), process.env);
  if (commandLine.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const emulator = await FpgaApiEmulator.start({
    ...commandLine.options,
    onRequest: (record) => process.stderr.write(`${logLine(record)}\n`),
  });
  const { seed } = commandLine;
  if (seed) {
    try {
      emulator.addImages(seed.images);
      emulator.addRelations(seed.relations);
    } catch (error) {
      await emulator.stop();
      throw new UsageError(`--seed ${seed.file}: ${(error as Error).message}`);
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void emulator.stop());
  process.stdout.write(`${JSON.stringify({ url: emulator.url, projectId: emulator.state().projectId, controlToken: emulator.controlToken })}\n`);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: Error) => {
    const usage = error instanceof UsageError;
    process.stderr.write(`fpga-image-emulator: ${error.message}${usage ? '\nRun with --help for the options.' : ''}\n`);
    process.exitCode = usage ? EXIT_USAGE : 1;
  },
);
