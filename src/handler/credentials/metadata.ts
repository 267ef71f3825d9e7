import { INPUT_ENV, METADATA_OFF } from '../../contract';
import { describeFault, GaveUpError, readFault, type ApiResponse } from '../errors';
import { HttpConnection } from '../http-client';
import { readTemporaryCredential, type Credentials } from './credentials';

/**
 * Source c: the ECS metadata service, where the agency bound to an ECS (or a CCE node) hands out
 * temporary credentials, asked as the Go SDK asks it: a session token first (none needed when the
 * service answers 404 or 405), then the security key. Never through a proxy (the address is
 * link-local), and bounded as a whole: off Huawei Cloud nothing answers, and a run must not hang on it.
 */

export interface MetadataSettings {
  /** `scheme://host[:port]`. */
  readonly origin: string;
}

const TOKEN_PATH = '/meta-data/latest/api/token';
const SECURITY_KEY_PATH = '/openstack/latest/securitykey';
/** The Go SDK's session token life: 6 hours. */
const TOKEN_TTL_SECONDS = '21600';
/** The whole source, connection and answers, when nothing answers. */
export const METADATA_TIME_LIMIT_MS = 2_000;
/** The service's own words when the ECS has no agency (the Go SDK's ConfigAgencyError). */
const NO_AGENCY = 'Please configure Cloud Service Agency first';

export interface MetadataOptions {
  /** Told the session token as soon as it is read: a secret too. */
  readonly learn: (token: string) => void;
  readonly beforeV8FlagChange?: () => void;
}

/** The service's current credentials; throws GaveUpError saying what the service said, or that it did not answer. */
export async function metadataCredentials({ origin }: MetadataSettings, options: MetadataOptions): Promise<Credentials> {
  const service = `the ECS metadata service at ${origin}`;
  const offHint = `Off an ECS or CCE node with an agency, give credentials another way and set ${INPUT_ENV.metadataEndpoint}=${METADATA_OFF}`;
  const fail = (what: string, hint: string = offHint) => new GaveUpError(`${service} ${what}`, { operation: 'obtain credentials from the ECS metadata service', hint });
  const deadline = Date.now() + METADATA_TIME_LIMIT_MS;
  const connection = new HttpConnection(origin, undefined, options.beforeV8FlagChange);
  const exchange = async (method: 'PUT' | 'GET', path: string, headers: Record<string, string>): Promise<ApiResponse> => {
    try {
      return await connection.send({ method, url: new URL(path, origin), headers, body: Buffer.alloc(0) }, Math.max(1, deadline - Date.now()));
    } catch (error) {
      const { code, message } = error as Error & { code?: string };
      throw fail(code === 'ETIMEDOUT' ? `did not answer within ${METADATA_TIME_LIMIT_MS / 1000} s` : `cannot be reached: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`);
    }
  };
  try {
    const tokenAnswer = await exchange('PUT', TOKEN_PATH, { 'x-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS });
    let token: string | undefined;
    if (tokenAnswer.status === 200) {
      token = tokenAnswer.body.trim();
      options.learn(token);
    } else if (tokenAnswer.status !== 404 && tokenAnswer.status !== 405) {
      throw fail(`answered PUT ${TOKEN_PATH} with ${describeFault(readFault(tokenAnswer))}`);
    }
    const answer = await exchange('GET', SECURITY_KEY_PATH, token ? { 'x-metadata-token': token } : {});
    if (answer.body.includes(NO_AGENCY)) {
      throw fail(`says this server has no agency ("${NO_AGENCY}")`,
        "Bind an agency to this ECS (the ECS console: the server's Management Information, Agency), or give credentials another way");
    }
    if (answer.status !== 200) throw fail(`answered GET ${SECURITY_KEY_PATH} with ${describeFault(readFault(answer))}`);
    const read = readTemporaryCredential(answer.body, service);
    if ('problem' in read) throw fail(`answered GET ${SECURITY_KEY_PATH} with ${read.problem}`, 'Report this, with the ECS image and region');
    return read.credentials;
  } finally {
    connection.close();
  }
}
