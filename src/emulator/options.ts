import { createSecureContext } from 'node:tls';
import { checkId, isLoopbackHost, showValue } from '../rules';
import type { RequestRecord } from './request-log';

/** The project the emulator serves unless told otherwise. */
export const DEMO_PROJECT_ID = '0123456789abcdef0123456789abcdef';

/** The credentials the emulator accepts unless told otherwise. Not a secret: it only opens a local emulator. */
export const DEMO_CREDENTIALS = { accessKey: 'EMULATORACCESSKEY000', secretKey: 'emulator-secret-key-not-a-real-secret' } as const;

export interface EmulatorCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  /** When set, the credential is temporary: requests must send this X-Security-Token and sign it. */
  readonly securityToken?: string;
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
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'onRequest' | 'tls'>> & Pick<EmulatorOptions, 'onRequest' | 'tls'>;

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

/** Fills in the defaults and throws an Error naming the first bad option. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
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
    checkHost(resolved.host, 'EmulatorOptions.host') ??
    checkPort(resolved.port, 'EmulatorOptions.port') ??
    checkId('projectId', resolved.projectId, 'EmulatorOptions.projectId') ??
    checkCredentials(resolved.credentials) ??
    (resolved.tls === undefined ? undefined : checkTls(resolved.tls, 'EmulatorOptions.tls')) ??
    (Number.isFinite(resolved.maxClockSkewMs) && resolved.maxClockSkewMs >= 0
      ? undefined
      : `invalid EmulatorOptions.maxClockSkewMs ${showValue(String(resolved.maxClockSkewMs))}: expected a number of milliseconds >= 0`);
  if (error) throw new Error(error);
  return resolved;
}
