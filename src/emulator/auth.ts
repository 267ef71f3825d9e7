import type { IncomingHttpHeaders } from 'node:http';
import { showValue } from '../rules';
import type { EmulatorCredentials } from './options';
import { parseAuthorization, parseSdkDate, sha256Hex, sign, signaturesEqual } from '../signing/sdk-hmac-sha256';

/**
 * Verifies SDK-HMAC-SHA256 the way the gateway does: recompute the signature with the one signer
 * over the headers the client listed and the exact body bytes received, then compare in constant
 * time. Reasons never contain a secret key, a security token or a canonical request that holds one.
 */

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query string, as received. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

export interface VerificationClock {
  /** The emulator's clock, in epoch milliseconds. */
  readonly now: number;
  readonly maxClockSkewMs: number;
}

/** A credential the gateway accepts: one configured, or a temporary one the emulator handed out. */
export interface KnownCredential extends EmulatorCredentials {
  /** Epoch milliseconds on the emulator's clock from which it is refused; absent = never. */
  readonly expiresAt?: number;
  /**
   * The configured access key it acts for, which an agency's trust list names; undefined for the
   * metadata service's credentials, which act for the "ECS"'s own agency.
   */
  readonly principal: string | undefined;
}

/** The authentic caller, or why the request is refused. */
export type Verification = { readonly caller: KnownCredential } | { readonly refusal: string };

const AUTHORIZATION_FORM = 'SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<64 hex>';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The caller when the request is authentic, else why not. */
export function verifySignature(
  request: ReceivedRequest,
  findCredential: (accessKey: string) => KnownCredential | undefined,
  clock: VerificationClock,
): Verification {
  const refusal = refusalOf(request, findCredential, clock);
  return typeof refusal === 'string' ? { refusal } : { caller: refusal };
}

function refusalOf(
  request: ReceivedRequest,
  findCredential: (accessKey: string) => KnownCredential | undefined,
  clock: VerificationClock,
): string | KnownCredential {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined) return `the Authorization header is missing (expected ${AUTHORIZATION_FORM})`;
  const parsed = parseAuthorization(authorization);
  if (!parsed) return `the Authorization header is malformed (expected ${AUTHORIZATION_FORM})`;
  if (!parsed.signedHeaders.includes('host') || !parsed.signedHeaders.includes('x-sdk-date')) {
    return `SignedHeaders must include host and x-sdk-date (got ${parsed.signedHeaders.join(';')})`;
  }

  const expired = checkSdkDate(header(request.headers, 'x-sdk-date'), clock);
  if (expired) return expired;

  const credential = findCredential(parsed.accessKey);
  if (!credential) return `unknown access key ${showValue(parsed.accessKey)}`;

  const missing = parsed.signedHeaders.find((name) => header(request.headers, name) === undefined);
  if (missing !== undefined) return `signed header ${missing} is missing from the request`;

  if (credential.securityToken !== undefined) {
    const token = header(request.headers, 'x-security-token');
    if (token === undefined) return 'X-Security-Token is missing; this access key is temporary and needs its security token';
    if (!parsed.signedHeaders.includes('x-security-token')) return 'X-Security-Token must be listed in SignedHeaders';
    if (!signaturesEqual(token, credential.securityToken)) return 'X-Security-Token does not belong to this access key';
  }
  if (credential.expiresAt !== undefined && clock.now >= credential.expiresAt) {
    return (
      `the security token expired at ${new Date(credential.expiresAt).toISOString()} (server clock ${new Date(clock.now).toISOString()}); ` +
      'obtain new temporary credentials'
    );
  }

  const signedHeaders = Object.fromEntries(parsed.signedHeaders.map((name) => [name, header(request.headers, name)!]));
  let expected: string;
  try {
    // The host only fills the URL; sign() reads the path and query from it and the Host header from headers.
    expected = sign({ method: request.method, url: `http://emulator.invalid${request.target}`, headers: signedHeaders, body: request.body }, credential).signature;
  } catch {
    return 'verify aksk signature fail: the request path cannot be canonicalised (malformed percent-encoding?)';
  }
  if (!signaturesEqual(parsed.signature, expected)) {
    return (
      `verify aksk signature fail: signature mismatch (the emulator signed ${request.method} ${request.target.split('?')[0]} ` +
      `with SignedHeaders=${parsed.signedHeaders.join(';')} over a ${request.body.length}-byte body, sha256 ${sha256Hex(request.body)})`
    );
  }
  return credential;
}

/** Both problems count as "request expired", as the gateway reports them (docs/EMULATOR.md: inferred). */
function checkSdkDate(value: string | undefined, clock: VerificationClock): string | undefined {
  if (value === undefined) return 'request expired: the X-Sdk-Date header is missing';
  const date = parseSdkDate(value);
  if (!date) return `request expired: X-Sdk-Date ${showValue(value)} is not of the form yyyymmddThhmmssZ`;
  const skewMs = Math.abs(date.getTime() - clock.now);
  if (skewMs <= clock.maxClockSkewMs) return undefined;
  return (
    `request expired: X-Sdk-Date ${value} is ${Math.round(skewMs / 1000)} s away from the server clock ` +
    `(${new Date(clock.now).toISOString()}); at most ${Math.round(clock.maxClockSkewMs / 1000)} s is allowed`
  );
}
