import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkId, showValue } from '../rules';
import type { ImagesSpec, Relation } from './fpga-api';
import { checkKeys, field } from './json-input';
import {
  checkAccessKey,
  checkHost,
  checkPort,
  checkSecretKey,
  checkTls,
  DEMO_AGENCY,
  DEMO_PROJECT_ID,
  DEMO_REGION,
  EmulatorOptions,
  EmulatorTls,
} from './options';
import type { RequestRecord } from './request-log';

/** The command line of the standalone emulator: flags, environment, seed file, log lines. */

export const CREDENTIAL_ENV = { accessKey: 'FPGA_EMULATOR_ACCESS_KEY', secretKey: 'FPGA_EMULATOR_SECRET_KEY' } as const;

export const USAGE = `Usage: node assets/emulator.js [options]

A local stand-in for the Huawei Cloud ECS FPGA-image association API, on loopback only, with the
IAM calls (projects, assume-role) and the ECS metadata service a credential chain needs.
When ready it prints one JSON line to stdout,
{"url":"http://127.0.0.1:PORT","projectId":"...","controlToken":"..."},
then one line per API request to stderr. SIGINT or SIGTERM stops it.

Options:
  --host <host>         loopback address to listen on (default 127.0.0.1)
  --port <port>         port to listen on; 0 picks a free one (default 0)
  --project-id <id>     the project ID the API accepts (default ${DEMO_PROJECT_ID})
  --access-key <ak>     the accepted access key (default: $${CREDENTIAL_ENV.accessKey}, else the demo key)
  --secret-key <sk>     its secret key (default: $${CREDENTIAL_ENV.secretKey}, else the demo secret);
                        prefer the environment variable, so the secret stays off the command line
  --strict-images       only images from --seed or the control plane exist (default: any well-formed ID)
  --region <name>       IAM's GET /v3/projects?name=<name> finds the project (default ${DEMO_REGION})
  --no-metadata-agency  the metadata service answers "no agency" (default: it hands out temporary
                        credentials; IAM lets callers assume agency ${DEMO_AGENCY.agencyName} of ${DEMO_AGENCY.domainName})
  --no-metadata-tokens  the metadata service has no session tokens (PUT .../api/token answers 404)
  --tls-cert <file>     serve https (the API and the control plane) with this PEM certificate;
                        needs --tls-key; clients must trust it (e.g. NODE_EXTRA_CA_CERTS=<file>)
  --tls-key <file>      the certificate's unencrypted PEM private key
  --seed <file.json>    initial state: {"images":[{"id","visibility"}],"fpgaImages":[{"id","name"}],
                        "relations":[{"fpgaImageId","imageId"}]}
  -h, --help            show this help

The control plane lives under /_emulator/: requests must carry the ready line's controlToken in an
X-Emulator-Control-Token header, name a loopback Host, carry no Origin header, and send bodies as
application/json (see docs/EMULATOR.md).
`;

export interface Seed {
  readonly file: string;
  readonly images: ImagesSpec;
  readonly relations: readonly Relation[];
}

export interface CommandLine {
  readonly help: boolean;
  readonly options: EmulatorOptions;
  readonly seed?: Seed;
}

/** A mistake on the command line or in the seed file: the process exits with code 2. */
export class UsageError extends Error {}

const FLAGS = {
  'host': { type: 'string' },
  'port': { type: 'string' },
  'project-id': { type: 'string' },
  'access-key': { type: 'string' },
  'secret-key': { type: 'string' },
  'strict-images': { type: 'boolean' },
  'region': { type: 'string' },
  'no-metadata-agency': { type: 'boolean' },
  'no-metadata-tokens': { type: 'boolean' },
  'seed': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const;

function check(error: string | undefined): void {
  if (error) throw new UsageError(error);
}

/** Reads flags, the credential variables and the seed file; throws UsageError naming the flag. */
export function readCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true, options: {} };

  if (values.host !== undefined) check(checkHost(values.host, '--host'));
  // A non-numeric value stays a string, so the error shows what was typed.
  const port = values.port !== undefined && /^\d{1,5}$/.test(values.port) ? Number(values.port) : values.port;
  if (port !== undefined) check(checkPort(port, '--port'));
  if (values['project-id'] !== undefined) check(checkId('projectId', values['project-id'], '--project-id'));
  if (values.region !== undefined && !/^[a-z0-9_-]+$/.test(values.region)) {
    throw new UsageError(`invalid --region ${showValue(values.region)}: expected a region name such as ${DEMO_REGION}`);
  }
  const agency = values['no-metadata-agency'] ? false : undefined;
  const tokens = values['no-metadata-tokens'] ? false : undefined;

  return {
    help: false,
    options: {
      host: values.host,
      port: port as number | undefined,
      projectId: values['project-id'],
      credentials: readCredentials(values['access-key'], values['secret-key'], env),
      strictImages: values['strict-images'],
      projects: values.region === undefined ? undefined : [{ id: values['project-id'] ?? DEMO_PROJECT_ID, name: values.region }],
      metadata: { agency, tokens },
      tls: readTls(values['tls-cert'], values['tls-key']),
    },
    seed: values.seed === undefined ? undefined : readSeed(values.seed),
  };
}

/** A flag wins over its variable; an empty variable counts as unset. Both or neither, never half. */
function readCredentials(accessKeyFlag: string | undefined, secretKeyFlag: string | undefined, env: NodeJS.ProcessEnv): EmulatorOptions['credentials'] {
  const accessKey = accessKeyFlag ?? (env[CREDENTIAL_ENV.accessKey] || undefined);
  const secretKey = secretKeyFlag ?? (env[CREDENTIAL_ENV.secretKey] || undefined);
  if (accessKey === undefined && secretKey === undefined) return undefined;
  if (accessKey === undefined || secretKey === undefined) {
    throw new UsageError(
      `--access-key (or $${CREDENTIAL_ENV.accessKey}) and --secret-key (or $${CREDENTIAL_ENV.secretKey}) go together: set both, or neither for the demo credentials`,
    );
  }
  check(checkAccessKey(accessKey, accessKeyFlag === undefined ? `$${CREDENTIAL_ENV.accessKey}` : '--access-key'));
  check(checkSecretKey(secretKey, secretKeyFlag === undefined ? `$${CREDENTIAL_ENV.secretKey}` : '--secret-key'));
  return [{ accessKey, secretKey }];
}

/** Both files or neither; a pair that TLS cannot use is refused here, never shown. */
function readTls(certFile: string | undefined, keyFile: string | undefined): EmulatorTls | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new UsageError('--tls-cert and --tls-key go together: set both for https, or neither for plain http');
  }
  const read = (file: string, flag: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new UsageError(`${flag} ${file}: cannot read it (${(error as Error).message})`);
    }
  };
  const tls = { cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key') };
  check(checkTls(tls, `--tls-cert ${certFile} / --tls-key ${keyFile}`));
  return tls;
}

/** The entries themselves are checked when the emulator applies them, with the same messages as the control plane. */
function readSeed(file: string): Seed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--seed ${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  try {
    checkKeys(parsed, ['images', 'fpgaImages', 'relations'], 'seed');
  } catch (error) {
    throw new UsageError(`--seed ${file}: ${(error as Error).message}`);
  }
  return {
    file,
    images: { images: field(parsed, 'images'), fpgaImages: field(parsed, 'fpgaImages') } as ImagesSpec,
    relations: field(parsed, 'relations') as Relation[],
  };
}

/** One stderr line per API request. Holds nothing secret: the Authorization header is never logged. */
export function logLine(record: RequestRecord): string {
  const outcome = record.status ?? '-';
  const fault = record.fault ? ` fault=${record.fault}` : '';
  return `${new Date(record.at).toISOString()} ${record.method} ${record.path} ${outcome}${fault} request_id=${record.requestId}`;
}
