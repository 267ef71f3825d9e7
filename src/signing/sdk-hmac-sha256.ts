import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Huawei Cloud's SDK-HMAC-SHA256 (AK/SK) request signing: the one implementation, used by the
 * handler to sign and by the emulator to verify. Algorithm as in the API signing guide and the
 * official Node.js and Go SDK signers; no key derivation, key = raw SK.
 */
export const ALGORITHM = 'SDK-HMAC-SHA256';

export interface SigningCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Absolute URL; only its path and query are signed (the Host header carries the host). */
  readonly url: string;
  /** Exactly the headers to sign, any case; must include x-sdk-date (and, for a real request, host). */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes that will be sent. */
  readonly body?: string | Uint8Array;
}

export interface Signature {
  readonly authorization: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/** `20191115T033655Z`, the X-Sdk-Date format. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses an X-Sdk-Date value; undefined when it is not of the form `yyyymmddThhmmssZ`. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** RFC 3986 encoding with only A-Z a-z 0-9 - _ . ~ left as they are. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(pathname: string): string {
  const encoded = pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function canonicalQuery(search: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of search) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  const keys = [...byKey.keys()].sort();
  return keys
    .flatMap((key) => byKey.get(key)!.sort().map((value) => `${uriEncode(key)}=${uriEncode(value)}`))
    .join('&');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sign(request: RequestToSign, credentials: SigningCredentials): Signature {
  const url = new URL(request.url);
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase().trim(), String(value).trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const names = headers.map(([name]) => name);
  if (!names.includes('x-sdk-date')) throw new Error('SDK-HMAC-SHA256 signing needs the x-sdk-date header');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body ?? ''),
  ].join('\n');
  const sdkDate = headers.find(([name]) => name === 'x-sdk-date')![1];
  const stringToSign = [ALGORITHM, sdkDate, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', credentials.secretKey).update(stringToSign).digest('hex');
  return {
    authorization: `${ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    signedHeaders,
    canonicalRequest,
    stringToSign,
  };
}

export interface ParsedAuthorization {
  readonly accessKey: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Reads an `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header; undefined if malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const m = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;_-]+), Signature=([0-9a-f]{64})$/.exec(header);
  if (!m) return undefined;
  return { accessKey: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
