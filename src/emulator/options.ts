import { createSecureContext } from 'node:tls';
import { checkId, isLoopbackHost, showValue } from '../rules';
import { checkKeys, field, listOf } from './json-input';
import type { RequestRecord } from './request-log';

/** The project the emulator serves unless told otherwise. */
export const DEMO_PROJECT_ID = '0123456789abcdef0123456789abcdef';

/** The credentials the emulator accepts unless told otherwise. Not a secret: it only opens a local emulator. */
export const DEMO_CREDENTIALS = { accessKey: 'EMULATORACCESSKEY000', secretKey: 'Demo-SK-7f3a9c1e5b2d8046-not-for-use' } as const;

/** The region the emulated project is named after: IAM answers `GET /v3/projects?name=cn-north-1` with the emulator's project. */
export const DEMO_REGION = 'cn-north-1';

/** The agency IAM lets callers assume unless told otherwise; it trusts every credential the emulator knows. */
export const DEMO_AGENCY = {
  agencyName: 'fpga_deployer',
  domainName: 'emulator_delegating_domain',
  domainId: 'de1e9a7e0000000000000000000000d0',
} as const;

export interface EmulatorCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  /** When set, the credential is temporary: requests must send this X-Security-Token and sign it. */
  readonly securityToken?: string;
}

/** A project of the emulated account, as IAM lists it. */
export interface EmulatorProject {
  /** 32 lowercase hex digits. */
  readonly id: string;
  /** A region name, such as cn-north-1 (or a sub-project name). */
  readonly name: string;
}

/** An agency that IAM lets trusted callers assume (POST /v3.0/OS-CREDENTIAL/securitytokens). */
export interface EmulatorAgency {
  readonly agencyName: string;
  /** The delegating account's name; an assume-role call must name it or domainId. */
  readonly domainName: string;
  /** The delegating account's ID: 32 lowercase hex digits. */
  readonly domainId: string;
  /**
   * @default - every caller: each configured credential, temporary credentials assumed with them, and
   * the metadata service's; with a list, only the listed configured access keys and credentials assumed with them.
   */
  readonly trustedAccessKeys?: readonly string[];
}

/** The ECS metadata service the emulator plays (GET /openstack/latest/securitykey). */
export interface EmulatorMetadata {
  /** @default true; false: the "ECS" has no agency, so securitykey answers 404 "Please configure Cloud Service Agency first". */
  readonly agency?: boolean;
  /** @default true; false: PUT /meta-data/latest/api/token answers 404 and securitykey needs no X-Metadata-Token. */
  readonly tokens?: boolean;
  /** @default 3_600_000 (1 hour): the life of each credential it hands out (capped by temporaryCredentialTtlMs). */
  readonly credentialTtlMs?: number;
}

/** A certificate and its key, in PEM: the emulator then serves https instead of http. */
export interface EmulatorTls {
  /** The certificate, or a chain with the server's certificate first. */
  readonly cert: string | Buffer;
  /** The certificate's private key, unencrypted. */
  readonly key: string | Buffer;
}

export interface EmulatorOptions {
  /** @default '127.0.0.1'; only loopback hosts are accepted, because the control plane is unsigned. */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default DEMO_PROJECT_ID */
  readonly projectId?: string;
  /** @default [DEMO_CREDENTIALS] */
  readonly credentials?: readonly EmulatorCredentials[];
  /**
   * @default false - any well-formed ID names an existing private ECS image / active FPGA image,
   * created on first use; true: only images registered through addImages, addRelations or a seed exist.
   */
  readonly strictImages?: boolean;
  /** @default 15 * 60_000, the gateway's documented tolerance for X-Sdk-Date. */
  readonly maxClockSkewMs?: number;
  /**
   * @default - plain http; with a certificate and key, https on the same port, control plane included
   * (a client must trust the certificate, e.g. through NODE_EXTRA_CA_CERTS).
   */
  readonly tls?: EmulatorTls;
  /** Called once per API request, when its outcome is known (the CLI logs with it). */
  readonly onRequest?: (record: RequestRecord) => void;
  /** @default [{ id: projectId, name: DEMO_REGION }]: what IAM's GET /v3/projects lists (the one emulated account's). */
  readonly projects?: readonly EmulatorProject[];
  /** @default [DEMO_AGENCY] */
  readonly agencies?: readonly EmulatorAgency[];
  /** @default - an agency, tokens, credentials that live 1 hour */
  readonly metadata?: EmulatorMetadata;
  /**
   * @default - no cap: metadata credentials live metadata.credentialTtlMs, assumed ones duration_seconds.
   * A cap on the life of every temporary credential handed out from now on, for tests of expiry.
   */
  readonly temporaryCredentialTtlMs?: number;
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'onRequest' | 'tls' | 'metadata' | 'temporaryCredentialTtlMs'>> &
  Pick<EmulatorOptions, 'onRequest' | 'tls' | 'temporaryCredentialTtlMs'> & { readonly metadata: Required<EmulatorMetadata> };

export const METADATA_DEFAULTS: Required<EmulatorMetadata> = { agency: true, tokens: true, credentialTtlMs: 3_600_000 };

export function checkHost(host: unknown, label: string): string | undefined {
  if (typeof host === 'string' && isLoopbackHost(host)) return undefined;
  return `invalid ${label} ${showValue(String(host))}: the emulator serves an unsigned control plane, so it listens only on a loopback host (localhost, 127.0.0.0/8, ::1)`;
}

export function checkPort(port: unknown, label: string): string | undefined {
  if (Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535) return undefined;
  return `invalid ${label} ${showValue(String(port))}: expected an integer from 0 to 65535 (0 picks a free port)`;
}

/** Access keys travel inside the Authorization header, so they cannot hold spaces or commas. */
export function checkAccessKey(accessKey: unknown, label: string): string | undefined {
  if (typeof accessKey === 'string' && /^[^,\s]+$/.test(accessKey)) return undefined;
  return `invalid ${label} ${showValue(String(accessKey))}: expected a non-empty access key without spaces or commas`;
}

/** Never shows the value: it is a secret. */
export function checkSecretKey(secretKey: unknown, label: string): string | undefined {
  if (typeof secretKey === 'string' && secretKey.length > 0) return undefined;
  return `invalid ${label}: expected a non-empty secret key`;
}

function checkCredentials(credentials: readonly EmulatorCredentials[]): string | undefined {
  if (!Array.isArray(credentials) || credentials.length === 0) {
    return 'invalid EmulatorOptions.credentials: expected at least one {accessKey, secretKey}';
  }
  const seen = new Set<string>();
  for (const [i, credential] of credentials.entries()) {
    const label = `EmulatorOptions.credentials[${i}]`;
    const error =
      checkAccessKey(credential?.accessKey, `${label}.accessKey`) ?? checkSecretKey(credential?.secretKey, `${label}.secretKey`);
    if (error) return error;
    if (credential.securityToken !== undefined && (typeof credential.securityToken !== 'string' || credential.securityToken === '')) {
      return `invalid ${label}.securityToken: expected a non-empty string, or leave it out for a permanent access key`;
    }
    if (seen.has(credential.accessKey)) return `invalid ${label}: access key ${showValue(credential.accessKey)} is listed twice`;
    seen.add(credential.accessKey);
  }
  return undefined;
}

/** Loads the pair the way the server will, so that a bad file or a key that does not match fails here. Never shows the key. */
export function checkTls(tls: EmulatorTls, label: string): string | undefined {
  const pem = (value: unknown) => typeof value === 'string' || Buffer.isBuffer(value);
  if (!pem(tls?.cert) || !pem(tls?.key)) return `invalid ${label}: expected a PEM certificate and its PEM private key`;
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
    return undefined;
  } catch (error) {
    return `invalid ${label}: the certificate and key cannot be used (${(error as Error).message}); expected a PEM certificate and its unencrypted PEM private key`;
  }
}

/** Throws an Error naming the field; returns the checked copy. */
export function checkProjects(projects: unknown, label: string): EmulatorProject[] {
  return requiredList(projects, label).map((entry, i) => {
    checkKeys(entry, ['id', 'name'], `${label}[${i}]`);
    const id = String(field(entry, 'id'));
    const error = checkId('projectId', id, `${label}[${i}].id`);
    if (error) throw new Error(error);
    return { id, name: nonEmptyString(field(entry, 'name'), `${label}[${i}].name`) };
  });
}

/** Throws an Error naming the field; returns the checked copy. */
export function checkAgencies(agencies: unknown, label: string): EmulatorAgency[] {
  return requiredList(agencies, label).map((entry, i) => {
    const at = `${label}[${i}]`;
    checkKeys(entry, ['agencyName', 'domainName', 'domainId', 'trustedAccessKeys'], at);
    const domainId = field(entry, 'domainId');
    if (!(typeof domainId === 'string' && /^[0-9a-f]{32}$/.test(domainId))) {
      throw new Error(`invalid ${at}.domainId ${showValue(String(domainId))}: expected 32 lowercase hexadecimal characters`);
    }
    const trusted = field(entry, 'trustedAccessKeys');
    return {
      agencyName: nonEmptyString(field(entry, 'agencyName'), `${at}.agencyName`),
      domainName: nonEmptyString(field(entry, 'domainName'), `${at}.domainName`),
      domainId,
      trustedAccessKeys: trusted === undefined ? undefined : listOf(trusted, `${at}.trustedAccessKeys`).map((key, k) => nonEmptyString(key, `${at}.trustedAccessKeys[${k}]`)),
    };
  });
}

/** Merges a partial update into the current settings; throws an Error naming the field. */
export function mergeMetadata(current: Required<EmulatorMetadata>, update: unknown, label: string): Required<EmulatorMetadata> {
  checkKeys(update, ['agency', 'tokens', 'credentialTtlMs'], label);
  // An undefined setting keeps its current value, as an absent one does.
  const given = Object.entries(update as EmulatorMetadata).filter(([, value]) => value !== undefined);
  const next = { ...current, ...Object.fromEntries(given) } as Required<EmulatorMetadata>;
  for (const key of ['agency', 'tokens'] as const) {
    if (typeof next[key] !== 'boolean') throw new Error(`invalid ${label}.${key} ${showValue(String(next[key]))}: expected true or false`);
  }
  checkLifetime(next.credentialTtlMs, `${label}.credentialTtlMs`);
  return next;
}

/** A lifetime in milliseconds (at least 1); undefined passes, as "no cap" (a merged credentialTtlMs is never undefined). */
export function checkLifetime(ms: unknown, label: string): number | undefined {
  if (ms === undefined || (typeof ms === 'number' && Number.isInteger(ms) && ms >= 1)) return ms;
  throw new Error(`invalid ${label} ${showValue(String(ms))}: expected a whole number of milliseconds >= 1`);
}

/** Unlike listOf, absent is an error: "no projects" must be said with []. */
function requiredList(value: unknown, label: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`invalid ${label}: expected an array (possibly empty)`);
  return value;
}

function nonEmptyString(value: unknown, label: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new Error(`invalid ${label} ${showValue(String(value))}: expected a non-empty string`);
}

/** Fills in the defaults and throws an Error naming the first bad option. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const basics = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    projectId: options.projectId ?? DEMO_PROJECT_ID,
    credentials: options.credentials ?? [DEMO_CREDENTIALS],
    strictImages: options.strictImages ?? false,
    maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000,
    tls: options.tls,
    onRequest: options.onRequest,
  };
  const error =
    checkHost(basics.host, 'EmulatorOptions.host') ??
    checkPort(basics.port, 'EmulatorOptions.port') ??
    checkId('projectId', basics.projectId, 'EmulatorOptions.projectId') ??
    checkCredentials(basics.credentials) ??
    (basics.tls === undefined ? undefined : checkTls(basics.tls, 'EmulatorOptions.tls')) ??
    (Number.isFinite(basics.maxClockSkewMs) && basics.maxClockSkewMs >= 0
      ? undefined
      : `invalid EmulatorOptions.maxClockSkewMs ${showValue(String(basics.maxClockSkewMs))}: expected a number of milliseconds >= 0`);
  if (error) throw new Error(error);
  // These throw their own errors, after projectId is known to be good (the default project is named by it).
  return {
    ...basics,
    projects: checkProjects(options.projects ?? [{ id: basics.projectId, name: DEMO_REGION }], 'EmulatorOptions.projects'),
    agencies: checkAgencies(options.agencies ?? [DEMO_AGENCY], 'EmulatorOptions.agencies'),
    metadata: mergeMetadata(METADATA_DEFAULTS, options.metadata ?? {}, 'EmulatorOptions.metadata'),
    temporaryCredentialTtlMs: checkLifetime(options.temporaryCredentialTtlMs, 'EmulatorOptions.temporaryCredentialTtlMs'),
  };
}
