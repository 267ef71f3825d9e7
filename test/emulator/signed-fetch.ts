/** Signed requests to an emulator over a real socket, with knobs for breaking them on purpose. */
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { formatSdkDate, sign, SigningCredentials } from '../../src/signing/sdk-hmac-sha256';

export interface SignedRequest {
  readonly method: string;
  /** Path and query, relative to the emulator's URL. */
  readonly path: string;
  /** A string is sent as is; anything else as compact JSON. */
  readonly body?: string | object;
  readonly credentials?: SigningCredentials;
  /** X-Sdk-Date; default now. */
  readonly date?: Date;
  /** Headers added and signed on top of host, x-sdk-date and content-type. */
  readonly signedHeaders?: Readonly<Record<string, string>>;
  /** Headers sent but not signed; they replace signed ones of the same name (how tampering looks). */
  readonly unsignedHeaders?: Readonly<Record<string, string>>;
  /** Names dropped from the signed set (but still sent). */
  readonly leaveUnsigned?: readonly string[];
  /** Names signed but then not sent. */
  readonly omitHeaders?: readonly string[];
  /** Rewrites the Authorization header after signing. */
  readonly editAuthorization?: (authorization: string) => string;
  /** The body actually sent, when it should differ from the one signed. */
  readonly sentBody?: string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  readonly json: any;
}

export async function signedFetch(baseUrl: string, request: SignedRequest): Promise<Answer> {
  const url = `${baseUrl}${request.path}`;
  const body = request.body === undefined ? '' : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers: Record<string, string> = {
    'host': new URL(url).host,
    'x-sdk-date': formatSdkDate(request.date ?? new Date()),
    'content-type': 'application/json',
    ...request.signedHeaders,
  };
  const toSign = Object.fromEntries(Object.entries(headers).filter(([name]) => !request.leaveUnsigned?.includes(name)));
  const { authorization } = sign({ method: request.method, url, headers: toSign, body }, request.credentials ?? DEMO_CREDENTIALS);
  const edit = request.editAuthorization ?? ((value: string) => value);
  const sent = { ...headers, ...request.unsignedHeaders, authorization: edit(authorization) };
  for (const name of ['host', ...(request.omitHeaders ?? [])]) delete (sent as Record<string, string | undefined>)[name];
  return answer(await fetch(url, { method: request.method, headers: sent, body: request.sentBody ?? (body === '' ? undefined : body) }));
}

export async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
