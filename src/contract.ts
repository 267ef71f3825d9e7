/**
 * The contract between the synthesized provisioners and the handler they run: operations,
 * environment variable names, defaults and exit codes. Imported by both sides.
 */

/**
 * What the handler does; the first command-line argument. `drift-query` speaks the protocol of
 * Terraform's `external` data source (see DRIFT_RESULT). `list` needs no ECS image ID: it prints
 * every ECS image the FPGA image is associated with, for finding associations to remove by hand.
 */
export const OPERATIONS = ['associate', 'disassociate', 'status', 'list', 'drift-query'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Non-secret inputs, passed through the provisioner's `environment` (never on a command line). */
export const INPUT_ENV = {
  projectId: 'FPGA_ASSOC_PROJECT_ID',
  fpgaImageId: 'FPGA_ASSOC_FPGA_IMAGE_ID',
  imageId: 'FPGA_ASSOC_IMAGE_ID',
  /** Base URL of the ECS API; when unset, derived from the region. */
  endpoint: 'FPGA_ASSOC_ENDPOINT',
  region: 'FPGA_ASSOC_REGION',
  attemptTimeoutMs: 'FPGA_ASSOC_ATTEMPT_TIMEOUT_MS',
  totalTimeoutMs: 'FPGA_ASSOC_TOTAL_TIMEOUT_MS',
  maxAttempts: 'FPGA_ASSOC_MAX_ATTEMPTS',
  retryBaseDelayMs: 'FPGA_ASSOC_RETRY_BASE_DELAY_MS',
  retryMaxDelayMs: 'FPGA_ASSOC_RETRY_MAX_DELAY_MS',
  /** Requests per second shared by the parallel handlers of one endpoint and access key; unset = unpaced. */
  maxRequestsPerSecond: 'FPGA_ASSOC_MAX_REQUESTS_PER_SECOND',
  /** Where the handler keeps V8's code cache of its program: unset = a private per-user temp directory, `off` = nowhere. */
  codeCache: 'FPGA_ASSOC_CODE_CACHE',
  /** The agency to assume on top of the base credentials (the construct's `assumeRole`); wins over HW_ASSUME_ROLE_*. */
  assumeRoleAgencyName: 'FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME',
  assumeRoleDomainName: 'FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME',
  assumeRoleDomainId: 'FPGA_ASSOC_ASSUME_ROLE_DOMAIN_ID',
  assumeRoleDurationSeconds: 'FPGA_ASSOC_ASSUME_ROLE_DURATION',
  /** The ECS metadata service: unset = METADATA_DEFAULT_ENDPOINT, `off` = never asked. */
  metadataEndpoint: 'FPGA_ASSOC_METADATA_ENDPOINT',
} as const;

/** Where an ECS or CCE node's agency hands out temporary credentials. Tests, the demo and the bench turn it off. */
export const METADATA_DEFAULT_ENDPOINT = 'http://169.254.169.254';

/** The value of INPUT_ENV.metadataEndpoint that turns the metadata source off. */
export const METADATA_OFF = 'off';

/** Agency durations IAM accepts for assume-role, in seconds (`assumeRole.durationSeconds`). */
export const ASSUME_ROLE_DURATION = { min: 900, max: 86_400, default: 900 } as const;

/**
 * Credentials, read only from the environment of the process that runs Terraform. The first name
 * set wins: the huaweicloud Terraform provider's names, then the official SDKs' names.
 */
export const CREDENTIAL_ENV = {
  accessKey: ['HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK'],
  secretKey: ['HW_SECRET_KEY', 'HUAWEICLOUD_SDK_SK'],
  securityToken: ['HW_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'],
  /** A KooCLI profile is used when either is set (the file defaults to ~/.hcloud/config.json); it wins over the keys above. */
  sharedConfigFile: 'HW_SHARED_CONFIG_FILE',
  profile: 'HW_PROFILE',
  /** The agency to assume, as terraform-provider-huaweicloud reads it without an assume_role block. */
  assumeRoleAgencyName: 'HW_ASSUME_ROLE_AGENCY_NAME',
  assumeRoleDomainName: 'HW_ASSUME_ROLE_DOMAIN_NAME',
  assumeRoleDomainId: 'HW_ASSUME_ROLE_DOMAIN_ID',
  assumeRoleDurationSeconds: 'HW_ASSUME_ROLE_DURATION',
  /** The project when the association names none; else the profile's, else IAM's project of the region. */
  projectId: ['HW_PROJECT_ID', 'HUAWEICLOUD_SDK_PROJECT_ID'],
  /** IAM, for assume-role and the project lookup: its origin is used; default https://iam.{region}.myhuaweicloud.com/v3. */
  authUrl: 'HW_AUTH_URL',
} as const;

/**
 * The proxy, from the environment of the process that runs Terraform, read as Terraform itself reads
 * it (upper case first). Loopback endpoints never use a proxy unless `loopback` is set to 1.
 */
export const PROXY_ENV = {
  https: ['HTTPS_PROXY', 'https_proxy'],
  http: ['HTTP_PROXY', 'http_proxy'],
  noProxy: ['NO_PROXY', 'no_proxy'],
  loopback: 'FPGA_ASSOC_PROXY_LOOPBACK',
} as const;

/**
 * The answer of `drift-query`, which reads the `INPUT_ENV` inputs of one pair as a JSON object on stdin
 * (keys the handler does not know are ignored) and writes this object of strings on stdout, always
 * with exit code 0, so that the drift check warns rather than fails the plan.
 */
export const DRIFT_RESULT = {
  /** `true` or `false`; `unknown` when the question could not be answered. */
  associated: 'associated',
  /** Why the answer is `unknown` (the handler's one-line error); empty otherwise. */
  problem: 'problem',
} as const;

/** What INPUT_ENV.maxRequestsPerSecond and the maxRequestsPerSecond prop accept. */
export const REQUESTS_PER_SECOND_EXPECTED = 'a number of requests per second above 0 and at most 1000, with at most 3 decimals, such as 10 or 0.5';

/** Whether `text` (the prop as a string, or the environment value) is a rate the handler accepts. */
export function isRequestsPerSecond(text: string): boolean {
  return /^\d{1,4}(\.\d{1,3})?$/.test(text) && Number(text) > 0 && Number(text) <= 1000;
}

/** Defaults of the tuning inputs, shared by the construct's docs and the handler. */
export const HANDLER_DEFAULTS = {
  attemptTimeoutMs: 15_000,
  totalTimeoutMs: 300_000,
  maxAttempts: 8,
  retryBaseDelayMs: 1_000,
  retryMaxDelayMs: 20_000,
} as const;

/** Exit codes of the handler, documented in the README. */
export const EXIT_CODES = {
  ok: 0,
  /** A bug or an unexpected condition in the handler. */
  internal: 1,
  /** Bad input or configuration: an ID, the endpoint, a missing credential. Nothing was sent. */
  invalidInput: 2,
  /** The API refused the request for good (a 4xx other than authentication or throttling). */
  rejected: 3,
  /** Authentication or authorisation failed (401/403); never retried. */
  authFailed: 4,
  /** Transient failures outlasted the retry budget or the total timeout. */
  gaveUp: 5,
} as const;
