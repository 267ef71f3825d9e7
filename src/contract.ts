/**
 * The contract between the synthesized provisioners and the handler they run: operations,
 * environment variable names, defaults and exit codes. Imported by both sides.
 */

/** What the handler does; the first command-line argument. */
export const OPERATIONS = ['associate', 'disassociate', 'status'] as const;
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
} as const;

/**
 * Credentials, read only from the environment of the process that runs Terraform. The first name
 * set wins: the huaweicloud Terraform provider's names, then the official SDKs' names.
 */
export const CREDENTIAL_ENV = {
  accessKey: ['HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK'],
  secretKey: ['HW_SECRET_KEY', 'HUAWEICLOUD_SDK_SK'],
  securityToken: ['HW_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'],
} as const;

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
