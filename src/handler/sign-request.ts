import type { Credentials } from './credentials/credentials';
import { formatSdkDate, sign } from '../signing/sdk-hmac-sha256';

export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** The exact bytes sent; the signature covers their hash. */
  readonly body: Buffer;
}

/**
 * The headers of one attempt, signed at `date`: content-type, host, x-sdk-date and, with temporary
 * credentials, x-security-token, plus the Authorization header over exactly those. Called afresh
 * for every attempt so that a retry never carries a stale X-Sdk-Date.
 */
export function signedHeaders(request: OutgoingRequest, credentials: Credentials, date: Date): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'host': request.url.host,
    'x-sdk-date': formatSdkDate(date),
  };
  if (credentials.securityToken) headers['x-security-token'] = credentials.securityToken;
  const { authorization } = sign({ method: request.method, url: request.url.href, headers, body: request.body }, credentials);
  return { ...headers, authorization };
}
