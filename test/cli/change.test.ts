import { at, keysOnly, runCli, runOnTerminal } from './cli';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_PROJECT_ID } from '../../src/emulator/server';
import { FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, traffic, useEmulator } from '../handler/harness';

/**
 * `associate` and `disassociate`: the handler's operations, idempotent; removing asks on a terminal
 * (a real pseudo-terminal here), and without one only --yes removes.
 */

const context = useEmulator();
const PAIR = ['--fpga-image-id', FPGA_IMAGE_ID, '--image-id', IMAGE_ID];
const RELATION = { fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID };

/** What the emulator's detail list says of the FPGA image: whether it can be deleted. */
function isProtected(): boolean {
  return context.emu.relations().some((r) => r.fpgaImageId === FPGA_IMAGE_ID);
}

describe('associate', () => {
  it('associates, and says so; again, it says there was nothing to do', async () => {
    const run = await runCli(['associate', ...at(context.emu), ...PAIR], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout).toMatch(new RegExp(`^associated FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} \\(204, request id [0-9a-f]{32}\\)\n$`));
    expect(context.emu.relations()).toEqual([RELATION]);
    const again = await runCli(['associate', ...at(context.emu), ...PAIR], keysOnly());
    expect(again.code).toBe(EXIT_CODES.ok);
    expect(again.stdout).toContain('was already associated');
    expect(context.emu.relations()).toEqual([RELATION]);
  });

  it("a refusal is the handler's one line, with its exit code", async () => {
    context.emu.addImages({ images: [{ id: IMAGE_ID, visibility: 'shared' }] });
    const run = await runCli(['associate', ...at(context.emu), ...PAIR], keysOnly());

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(lines(run)).toEqual([expect.stringContaining('is not private (shared or from the marketplace), and only private images can be associated')]);
  });
});

describe('disassociate', () => {
  beforeEach(() => context.emu.addRelations([RELATION]));

  it('--yes frees the FPGA image without asking', async () => {
    const run = await runCli(['disassociate', ...at(context.emu), ...PAIR, '--yes'], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout).toMatch(new RegExp(`^disassociated FPGA image ${FPGA_IMAGE_ID} from ECS image ${IMAGE_ID} \\(204, request id [0-9a-f]{32}\\)\n$`));
    expect(isProtected()).toBe(false);
    expect(traffic(context.emu)).toEqual(['ecs DELETE 204']);
    const listed = await runCli(['list', ...at(context.emu), '--fpga-image-id', FPGA_IMAGE_ID], keysOnly());
    expect(listed.stdout).toContain('it is not protected');
  });

  it('without a terminal and without --yes: refused in one line, before anything is sent', async () => {
    const run = await runCli(['disassociate', ...at(context.emu), ...PAIR], keysOnly(), 'y\n');

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toEqual([expect.stringContaining('disassociate: not confirmed, and stdin is not a terminal to ask on. Add --yes')]);
    expect(context.emu.requests()).toEqual([]);
    expect(isProtected()).toBe(true);
  });

  it('on a terminal, it asks, naming the pair and the project; "y" removes the association', async () => {
    const run = await runOnTerminal(['disassociate', ...at(context.emu), ...PAIR], keysOnly(), 'y');

    expect(run.asked).toBe(true);
    expect(run.stdout).toContain(
      `Disassociate FPGA image ${FPGA_IMAGE_ID} from ECS image ${IMAGE_ID} in project ${DEMO_PROJECT_ID} (--project-id)? [y/N] y\n`,
    );
    expect(run.stdout).toMatch(/disassociated FPGA image \w+ from ECS image [\w-]+ \(204, request id \w+\)\n$/);
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(isProtected()).toBe(false);
    // The question is asked about an association that exists: one query first.
    expect(traffic(context.emu)).toEqual(['ecs GET 200', 'ecs DELETE 204']);
  });

  it.each(['n', '', 'whatever'])('on a terminal, the answer %j keeps the association, exit 2', async (answer) => {
    const run = await runOnTerminal(['disassociate', ...at(context.emu), ...PAIR], keysOnly(), answer);

    expect(run.asked).toBe(true);
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stdout).toContain('fpga-image-association: disassociate: not confirmed. The association is left as it was');
    expect(isProtected()).toBe(true);
    expect(traffic(context.emu)).toEqual(['ecs GET 200']);
  });

  it('on a terminal, a pair that is not associated needs no question', async () => {
    context.emu.reset();
    const run = await runOnTerminal(['disassociate', ...at(context.emu), ...PAIR], keysOnly());

    expect(run.asked).toBe(false);
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout).toBe(`FPGA image ${FPGA_IMAGE_ID} is not associated with ECS image ${IMAGE_ID} in project ${DEMO_PROJECT_ID}: nothing to do\n`);
  });

  it('--yes on a pair already gone: done is done', async () => {
    context.emu.reset();
    const run = await runCli(['disassociate', ...at(context.emu), ...PAIR, '-y'], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout).toContain('already gone, nothing to do');
  });
});

itNeverPrintsCredentials();
