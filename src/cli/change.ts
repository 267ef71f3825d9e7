import { createInterface } from 'node:readline/promises';
import { BIN } from './arguments';
import { print } from './output';
import { associate, disassociate, isAssociated, type Association } from '../handler/association';
import { InvalidInputError } from '../handler/errors';
import type { Project } from '../handler/project';
import type { Session } from '../handler/session';

/**
 * `associate` and `disassociate`, with the handler's own operations (idempotent: done is done).
 * Removing asks first on a terminal; without one, only `--yes` removes, so a script never hangs on a
 * question nobody sees.
 */

/** The command's pair in the project the session settled on. */
export type PairIn = (project: Project) => Association;

export async function associateCommand(session: Session, pairIn: PairIn): Promise<void> {
  await session.inProject(async (project) => print(await associate(session.api, pairIn(project))));
}

/** Throws before anything is sent when the removal could be neither confirmed nor was asked for with --yes. */
export function checkConfirmable(yes: boolean): void {
  if (yes || process.stdin.isTTY) return;
  throw new InvalidInputError('disassociate: not confirmed, and stdin is not a terminal to ask on', {
    hint: `Add --yes to remove the association without asking (\`${BIN} disassociate --fpga-image-id <id> --image-id <id> --yes\`). Nothing was sent to the API`,
  });
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export async function disassociateCommand(session: Session, pairIn: PairIn, yes: boolean): Promise<void> {
  await session.inProject(async (project) => {
    const a = pairIn(project);
    if (!yes) {
      // Asked only about what exists: a pair already gone needs no answer.
      if (!(await isAssociated(session.api, a))) {
        print(`FPGA image ${a.fpgaImageId} is not associated with ECS image ${a.imageId} in project ${a.projectId}: nothing to do`);
        return;
      }
      const question = `Disassociate FPGA image ${a.fpgaImageId} from ECS image ${a.imageId} in project ${a.projectId} (${a.projectSource})?`;
      if (!(await confirm(question))) {
        throw new InvalidInputError('disassociate: not confirmed', { hint: 'The association is left as it was' });
      }
    }
    print(await disassociate(session.api, a));
  });
}
