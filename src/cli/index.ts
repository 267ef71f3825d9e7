import { EXIT_CODES } from '../contract';
import { asTyped, parseCommandLine } from './arguments';
import { associateCommand, checkConfirmable, disassociateCommand, type PairIn } from './change';
import { doctor } from './doctor';
import { listCommand } from './list';
import { print } from './output';
import { readConfig } from '../handler/config';
import { HandlerError } from '../handler/errors';
import { Log } from '../handler/log';
import { logFor, Session, type SessionOptions } from '../handler/session';

/**
 * The operator CLI, `fpga-image-association <command>` (assets/cli.js, the package's bin): the
 * handler's code paths (configuration, credentials, project, signing, retries, errors and exit
 * codes) behind flags, for people at a terminal. assets/cli.js is the handler's launcher around this
 * program, so it starts as cheaply, from the same code cache.
 */

export function start(options: SessionOptions = {}): void {
  void main(options);
}

async function main(options: SessionOptions): Promise<void> {
  let log = new Log();
  try {
    const parsed = parseCommandLine(process.argv.slice(2));
    if ('help' in parsed) {
      print(parsed.help);
      process.exitCode = EXIT_CODES.ok;
      return;
    }
    const { command, given } = parsed;
    if (command === 'disassociate') checkConfirmable(parsed.yes);
    // The flags win over their variables; the handler's configuration reads and checks the rest as it always does.
    const config = readConfig({ ...process.env, ...parsed.variables }, { fpgaImageId: given.has('fpga-image-id'), imageId: given.has('image-id') });
    log = logFor(config);
    if (command === 'doctor') {
      process.exitCode = await doctor(config, given, log, options);
      return;
    }
    const session = await Session.open(config, log, options);
    const pairIn: PairIn = (project) => ({ ...config.association, projectId: project.id, projectSource: asTyped(project.source, given) });
    try {
      if (command === 'list') await listCommand(session, pairIn, parsed.json, log);
      else if (command === 'associate') await associateCommand(session, pairIn);
      else await disassociateCommand(session, pairIn, parsed.yes);
    } finally {
      session.close();
    }
    process.exitCode = EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof HandlerError) {
      log.note(error.describe());
      process.exitCode = error.exitCode;
    } else {
      log.note(`internal error: ${error instanceof Error ? error.message : String(error)}. This is a bug: please report it`);
      process.exitCode = EXIT_CODES.internal;
    }
  }
}
