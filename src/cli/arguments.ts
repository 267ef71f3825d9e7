import { parseArgs } from 'node:util';
import { CREDENTIAL_ENV, INPUT_ENV } from '../contract';
import { InvalidInputError } from '../handler/errors';
import { checkEndpoint, checkId, checkRegion, showValue, SUPPORTED_REGIONS } from '../rules';

/**
 * The command line: the commands, their flags, the help, and the flags' values as the environment
 * variables the handler reads (../handler/config reads them; it is the one place that reads the
 * environment, and a flag simply wins over its variable). node:util's parseArgs splits the line;
 * this module checks what it found, so that every mistake is one line naming the flag.
 */

export const COMMANDS = ['list', 'associate', 'disassociate', 'doctor'] as const;
export type Command = (typeof COMMANDS)[number];

export const BIN = 'fpga-image-association';

interface Flag {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** `<value>` in the help, for string flags. */
  readonly value?: string;
  readonly help: string;
  /** The variable the handler reads for a string flag's value; a common flag given wins over the environment's. */
  readonly variable?: string;
  /** Checks a string flag's value; returns the problem, naming the flag. */
  readonly check?: (value: string, flag: string) => string | undefined;
}

const REGION_FLAG: Flag = {
  type: 'string',
  value: '<region>',
  variable: INPUT_ENV.region,
  check: checkRegion,
  help: `${SUPPORTED_REGIONS.join(', ')}: its ECS endpoint, and IAM's project of it`,
};
const ENDPOINT_FLAG: Flag = {
  type: 'string',
  value: '<url>',
  variable: INPUT_ENV.endpoint,
  check: (value, flag) => checkEndpoint(value, flag).error,
  help: 'the ECS API; default https://ecs.{region}.myhuaweicloud.com',
};
const PROJECT_FLAG: Flag = {
  type: 'string',
  value: '<id>',
  variable: INPUT_ENV.projectId,
  check: (value, flag) => checkId('projectId', value, flag),
  help: `the project; else ${CREDENTIAL_ENV.projectId[0]}, the profile's, or IAM's of the region`,
};
const PROFILE_FLAG: Flag = {
  type: 'string',
  value: '<name>',
  variable: CREDENTIAL_ENV.profile,
  check: (value, flag) => (/^[^\s\p{Cc}]{1,64}$/u.test(value) ? undefined : `invalid ${flag} ${showValue(value)}: expected the name of a KooCLI profile`),
  help: `a KooCLI profile (~/.hcloud/config.json, or ${CREDENTIAL_ENV.sharedConfigFile})`,
};
const FPGA_IMAGE_FLAG: Flag = {
  type: 'string',
  value: '<id>',
  variable: INPUT_ENV.fpgaImageId,
  check: (value, flag) => checkId('fpgaImageId', value, flag),
  help: 'the FPGA image (32 lowercase hex)',
};
const IMAGE_FLAG: Flag = {
  type: 'string',
  value: '<id>',
  variable: INPUT_ENV.imageId,
  check: (value, flag) => checkId('imageId', value, flag),
  help: 'the private ECS image (a lowercase UUID)',
};
const HELP_FLAG: Flag = { type: 'boolean', short: 'h', help: 'this help' };

const COMMON: Readonly<Record<string, Flag>> = { 'region': REGION_FLAG, 'endpoint': ENDPOINT_FLAG, 'project-id': PROJECT_FLAG, 'profile': PROFILE_FLAG, 'help': HELP_FLAG };

interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  /** What the command does, said after the usage line. */
  readonly description: readonly string[];
  readonly flags: Readonly<Record<string, Flag>>;
  /** String flags that must be given (or set in their variable). */
  readonly required: readonly string[];
}

const SPECS: Readonly<Record<Command, CommandSpec>> = {
  list: {
    summary: 'which ECS images protect which FPGA images',
    usage: 'list [--fpga-image-id <id>] [--image-id <id>] [--json]',
    description: [
      'With --fpga-image-id: the ECS images it is associated with. With --image-id: the FPGA images associated with it.',
      'With both: whether they are associated. With neither: every FPGA image of the project is listed (page by page,',
      'progress on stderr), and the protected ones are shown with the ECS images that protect them.',
    ],
    flags: {
      'fpga-image-id': FPGA_IMAGE_FLAG,
      'image-id': IMAGE_FLAG,
      'json': { type: 'boolean', help: 'one JSON document on stdout instead of a table: {"projectId", "associations": [{"fpgaImageId", "imageId"}]}' },
    },
    required: [],
  },
  associate: {
    summary: 'associate an FPGA image with an ECS image',
    usage: 'associate --fpga-image-id <id> --image-id <id>',
    description: ['Associating a pair that is already associated does nothing, and says so.'],
    flags: { 'fpga-image-id': FPGA_IMAGE_FLAG, 'image-id': IMAGE_FLAG },
    required: ['fpga-image-id', 'image-id'],
  },
  disassociate: {
    summary: 'remove an association, so that the FPGA image can be deleted',
    usage: 'disassociate --fpga-image-id <id> --image-id <id> [--yes]',
    description: [
      'On a terminal it asks before removing; elsewhere (a script, CI) it refuses unless --yes is given.',
      'A pair that is not associated is left alone, and said so.',
    ],
    flags: { 'fpga-image-id': FPGA_IMAGE_FLAG, 'image-id': IMAGE_FLAG, 'yes': { type: 'boolean', short: 'y', help: 'do not ask' } },
    required: ['fpga-image-id', 'image-id'],
  },
  doctor: {
    summary: 'check credentials, project, endpoint, permission and Node, changing nothing',
    usage: 'doctor',
    description: [
      'Says which credential source is used and why the earlier ones were skipped, the project and where it came from,',
      'the endpoint, whether a read-only query succeeds (ecs:cloudServerFpgaImages:getRelations), and which Node a',
      "provisioner would run (node-launcher.sh's rules: FPGA_ASSOC_NODE). Never prints a secret.",
    ],
    flags: {},
    required: [],
  },
};

export interface Invocation {
  readonly command: Command;
  /** The flags' values, as the variables the handler reads: laid over the environment. */
  readonly variables: Readonly<Record<string, string>>;
  /** The flags given on the line (long names). */
  readonly given: ReadonlySet<string>;
  readonly json: boolean;
  readonly yes: boolean;
}

export type Parsed = Invocation | { readonly help: string };

/** A source in the handler's words (a variable's name) as the flag that set it, when a flag did: what the person typed. */
export function asTyped(source: string, given: ReadonlySet<string>): string {
  const flag = Object.entries(COMMON).find(([name, { variable }]) => variable === source && given.has(name));
  return flag ? `--${flag[0]}` : source;
}

/** The help's rows of `flags`; the common ones fall back to their variables, and say which. */
function flagLines(flags: Readonly<Record<string, Flag>>, fallBack: boolean): string[] {
  const rows = Object.entries(flags).map(([name, flag]) => [
    `${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.value ? ` ${flag.value}` : ''}`,
    fallBack ? flag.variable ?? '' : '',
    flag.help,
  ]);
  const width = (i: number) => Math.max(...rows.map((row) => row[i].length));
  return rows.map(([names, variable, help]) => `  ${names.padEnd(width(0))}  ${fallBack ? `${variable.padEnd(width(1))}  ` : ''}${help}`);
}

const EXIT_LINES = [
  'Exit codes: 0 done; 1 internal error; 2 bad input, nothing sent (or disassociate not confirmed); 3 refused by the API;',
  '4 authentication or permission refused; 5 gave up (the API unreachable, throttling or failing)',
];

const CREDENTIAL_LINES = [
  `Credentials, as terraform-provider-huaweicloud finds them: a KooCLI profile (--profile, ${CREDENTIAL_ENV.profile}, ${CREDENTIAL_ENV.sharedConfigFile}),`,
  `else ${CREDENTIAL_ENV.accessKey[0]} and ${CREDENTIAL_ENV.secretKey[0]}, else the ECS metadata service; an agency (HW_ASSUME_ROLE_*) on top. \`${BIN} doctor\` says which.`,
];

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.length));
  return [
    `Usage: ${BIN} <command> [flags]`,
    '',
    'Find what protects a Huawei Cloud FPGA image, remove it, and check the setup where Terraform runs, with the',
    'credentials, signing, retries and errors of the handler that Terraform runs.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.padEnd(width)}  ${SPECS[c].summary}`),
    '',
    'Flags of every command (each falls back to the variable beside it, which the handler reads too):',
    ...flagLines(COMMON, true),
    '',
    ...CREDENTIAL_LINES,
    ...EXIT_LINES,
    `\`${BIN} <command> --help\` for a command's own flags.`,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const spec = SPECS[command];
  const own = Object.keys(spec.flags).length > 0 ? ['', 'Flags:', ...flagLines(spec.flags, false)] : [];
  return [
    `Usage: ${BIN} ${spec.usage} [common flags]`,
    '',
    `${spec.summary[0].toUpperCase()}${spec.summary.slice(1)}.`,
    ...spec.description,
    ...own,
    '',
    'Common flags (each falls back to the variable beside it):',
    ...flagLines(COMMON, true),
    '',
    ...CREDENTIAL_LINES,
    ...EXIT_LINES,
  ].join('\n');
}

function usageError(message: string, command?: Command): InvalidInputError {
  return new InvalidInputError(message, { hint: `See \`${BIN} ${command ? `${command} ` : ''}--help\`` });
}

/** Reads the command line (without `node` and the script); throws InvalidInputError naming the first mistake. */
export function parseCommandLine(args: readonly string[]): Parsed {
  const [first, ...rest] = args;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest.length > 0) return parseCommandLine([rest[0], '--help']);
    return { help: mainHelp() };
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw usageError(`unknown command ${showValue(first)}: expected one of ${COMMANDS.join(', ')}`);
  }
  const command = first as Command;
  const flags: Readonly<Record<string, Flag>> = { ...COMMON, ...SPECS[command].flags };
  const options = Object.fromEntries(Object.entries(flags).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]));
  // Not strict: the tokens say what was given, and the checks below say what was wrong, naming the flag.
  const { tokens } = parseArgs({ args: rest, options, strict: false, allowPositionals: true, tokens: true });
  const known = Object.keys(flags).map((name) => `--${name}`).join(', ');
  const values = new Map<string, string | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw usageError(`unexpected argument ${showValue(token.value)} after ${command}: it takes flags only (${known})`, command);
    if (token.kind !== 'option') continue;
    const flag = flags[token.name];
    if (flag === undefined) throw usageError(`unknown flag ${showValue(token.rawName)} for ${command}: expected one of ${known}`, command);
    if (flag.type === 'boolean' && token.inlineValue) throw usageError(`${token.rawName} takes no value: got ${showValue(token.value ?? '')}`, command);
    if (flag.type === 'string' && token.value === undefined) throw usageError(`--${token.name} needs a value ${flag.value}: ${flag.help}`, command);
    if (values.has(token.name)) throw usageError(`--${token.name} is given twice: give it once`, command);
    values.set(token.name, token.value ?? true);
  }
  if (values.has('help')) return { help: commandHelp(command) };
  const missing = SPECS[command].required.find((name) => !values.has(name));
  if (missing) throw usageError(`${command} needs --${missing} ${flags[missing].value}: ${flags[missing].help}`, command);
  const variables: Record<string, string> = {};
  for (const [name, value] of values) {
    const flag = flags[name];
    if (typeof value !== 'string') continue;
    const problem = flag.check?.(value, `--${name}`);
    if (problem) throw usageError(problem, command);
    variables[flag.variable!] = value;
  }
  return { command, variables, given: new Set(values.keys()), json: values.has('json'), yes: values.has('yes') };
}

