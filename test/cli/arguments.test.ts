import { at, keysOnly, runCli } from './cli';
import { EXIT_CODES } from '../../src/contract';
import { FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, useEmulator } from '../handler/harness';

/** The command line: --help for each command, and one line for each mistake, with nothing sent. */

const context = useEmulator();

describe('--help', () => {
  it('the main help lists every command, the common flags with their variables, and the exit codes', async () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const run = await runCli(args, {});

      expect(run.code).toBe(EXIT_CODES.ok);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Usage: fpga-image-association <command> \[flags\]\n/);
      for (const command of ['list', 'associate', 'disassociate', 'doctor']) expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
      expect(run.stdout).toMatch(/^ {2}--region <region> +FPGA_ASSOC_REGION +cn-north-1, cn-east-2, cn-south-1/m);
      expect(run.stdout).toMatch(/^ {2}--endpoint <url> +FPGA_ASSOC_ENDPOINT /m);
      expect(run.stdout).toMatch(/^ {2}--project-id <id> +FPGA_ASSOC_PROJECT_ID /m);
      expect(run.stdout).toMatch(/^ {2}--profile <name> +HW_PROFILE /m);
      expect(run.stdout).toContain('Exit codes: 0 done');
    }
  });

  it.each([
    ['list', 'list [--fpga-image-id <id>] [--image-id <id>] [--json]', ['--fpga-image-id <id>', '--image-id <id>', '--json']],
    ['associate', 'associate --fpga-image-id <id> --image-id <id>', ['--fpga-image-id <id>', '--image-id <id>']],
    ['disassociate', 'disassociate --fpga-image-id <id> --image-id <id> [--yes]', ['--fpga-image-id <id>', '--image-id <id>', '-y, --yes']],
    ['doctor', 'doctor', []],
  ])('%s --help: its usage and its own flags, before the common ones; nothing is checked or sent', async (command, usage, flags) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command], [command, '--region', 'nowhere', '--help']]) {
      const run = await runCli(args, {});

      expect(run.code).toBe(EXIT_CODES.ok);
      expect(run.stdout.split('\n')[0]).toBe(`Usage: fpga-image-association ${usage} [common flags]`);
      for (const flag of flags) expect(run.stdout).toMatch(new RegExp(`^ {2}${flag} +\\S`, 'm'));
      expect(run.stdout).toContain('Common flags');
    }
    expect(context.emu.requests()).toEqual([]);
  });
});

describe('bad input: one line naming the flag or value and what is expected, exit 2, nothing sent', () => {
  const PAIR = ['--fpga-image-id', FPGA_IMAGE_ID, '--image-id', IMAGE_ID];
  it.each([
    [['frob'], 'unknown command "frob": expected one of list, associate, disassociate, doctor. See `fpga-image-association --help`'],
    [['list', '--fpga-image'], 'unknown flag "--fpga-image" for list: expected one of --region, --endpoint, --project-id, --profile, --help, --fpga-image-id, --image-id, --json'],
    [['doctor', '--yes'], 'unknown flag "--yes" for doctor: expected one of --region, --endpoint, --project-id, --profile, --help'],
    [['list', 'everything'], 'unexpected argument "everything" after list: it takes flags only'],
    [['list', '--region'], '--region needs a value <region>: cn-north-1, cn-east-2, cn-south-1'],
    [['list', '--json=yes'], '--json takes no value: got "yes"'],
    [['list', '--region', 'cn-north-1', '--region', 'cn-east-2'], '--region is given twice: give it once'],
    [['list', '--region', 'eu-west-1'], 'invalid --region "eu-west-1": the FPGA-image API is available only in cn-north-1, cn-east-2, cn-south-1'],
    [['list', '--endpoint', 'http://example.com'], 'invalid --endpoint "http://example.com": plain http is allowed only to a loopback host'],
    [['list', '--endpoint', 'ftp://x'], 'invalid --endpoint "ftp://x": expected https://host[:port]'],
    [['list', '--project-id', 'ABC'], 'invalid --project-id "ABC": expected 32 lowercase hexadecimal characters (a Huawei Cloud project ID)'],
    [['list', '--profile', 'two words'], 'invalid --profile "two words": expected the name of a KooCLI profile'],
    [['list', '--fpga-image-id', 'x'], 'invalid --fpga-image-id "x": expected 32 lowercase hexadecimal characters (an FPGA image ID)'],
    [['list', '--image-id', FPGA_IMAGE_ID], `invalid --image-id "${FPGA_IMAGE_ID}": expected a lowercase UUID`],
    [['associate', '--image-id', IMAGE_ID], 'associate needs --fpga-image-id <id>: the FPGA image (32 lowercase hex). See `fpga-image-association associate --help`'],
    [['disassociate', '--fpga-image-id', FPGA_IMAGE_ID, '--yes'], 'disassociate needs --image-id <id>: the private ECS image (a lowercase UUID)'],
    [['disassociate', ...PAIR], 'disassociate: not confirmed, and stdin is not a terminal to ask on. Add --yes to remove the association without asking'],
    [['list'], 'neither FPGA_ASSOC_REGION nor FPGA_ASSOC_ENDPOINT is set: set the region (e.g. cn-north-1) or the ECS endpoint'],
  ])('%j', async (args, message) => {
    const run = await runCli(args, keysOnly());

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stdout).toBe('');
    expect(lines(run)).toEqual([expect.stringContaining(`fpga-image-association: ${message}`)]);
    expect(context.emu.requests()).toEqual([]);
  });

  it('a flag wins over its variable, which is checked only when no flag replaces it', async () => {
    const run = await runCli(['list', ...at(context.emu), '--fpga-image-id', FPGA_IMAGE_ID], keysOnly({ FPGA_ASSOC_ENDPOINT: 'ftp://x', FPGA_ASSOC_PROJECT_ID: 'bad' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    const wrong = await runCli(['list', '--endpoint', context.emu.url, '--fpga-image-id', FPGA_IMAGE_ID], keysOnly({ FPGA_ASSOC_PROJECT_ID: 'bad' }));
    expect(wrong.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(wrong)).toEqual([expect.stringContaining('invalid FPGA_ASSOC_PROJECT_ID "bad"')]);
  });
});

itNeverPrintsCredentials();
