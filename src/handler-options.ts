/**
 * An IAM agency that the handler assumes on top of the credentials it finds, as
 * terraform-provider-huaweicloud's `assume_role` block does: the usual way to act in another
 * account. Give the delegating account by name (`domainName`) or by ID (`domainId`), not both.
 */
export interface AssumeRole {
  /** The agency's name, as created in the delegating account's IAM (1 to 64 letters, digits, spaces, `_`, `-` or `.`). */
  readonly agencyName: string;

  /**
   * The delegating account's name.
   *
   * @default - `domainId` identifies the account
   */
  readonly domainName?: string;

  /**
   * The delegating account's ID (32 lowercase hexadecimal characters).
   *
   * @default - `domainName` identifies the account
   */
  readonly domainId?: string;

  /**
   * How long the temporary credentials IAM gives may be used, in seconds, from 900 to 86400. A run
   * that outlives them gets new ones.
   *
   * @default 900
   */
  readonly durationSeconds?: number;
}

/**
 * How the handler runs where Terraform runs.
 */
export interface FpgaImageAssociationHandlerOptions {
  /**
   * How long one HTTP attempt may take, in seconds.
   *
   * @default 15
   */
  readonly attemptTimeoutSeconds?: number;

  /**
   * How long one associate or disassociate operation may take in all, retries included, in seconds.
   *
   * @default 300
   */
  readonly totalTimeoutSeconds?: number;

  /**
   * How many HTTP attempts one operation may make before it gives up on transient failures
   * (throttling, 5xx, resets, timeouts).
   *
   * @default 8
   */
  readonly maxAttempts?: number;

  /**
   * Pace the API requests of this stack's handlers to at most this many per second, shared by the
   * handlers Terraform runs in parallel on one machine with the same endpoint and access key (a
   * small state file in the user's private directory, in `$XDG_RUNTIME_DIR` or else the temp
   * directory, coordinates them). Set it a little below the API's rate limit so that throttling
   * is avoided rather than retried; a fraction such as 0.5 means one
   * request every 2 seconds. From 0.001 to 1000.
   *
   * @default - requests are not paced: throttling answers (429, APIGW.0308) are retried with backoff
   */
  readonly maxRequestsPerSecond?: number;

  /**
   * The Node.js executable that runs the handler where Terraform runs (a name on PATH or an
   * absolute path), Node 20.19 or newer. Setting it bypasses the launcher: the provisioners run this
   * program directly. That is the way on Windows, where the launcher (a POSIX `sh` script) does not
   * run. It is part of the provisioners' configuration, never of the state.
   *
   * @default - the launcher (`sh node-launcher.sh`, shipped beside the handler) picks the Node where
   * Terraform runs, by `FPGA_ASSOC_NODE`: `auto` (a Node.js 20.19+ on PATH, else the pinned Node
   * 20.20.2, fetched from the npm registry or `npm_config_registry` once and verified), `local` (PATH
   * only) or an absolute path
   */
  readonly nodeExecutable?: string;

  /**
   * An agency to assume on top of the credentials found where Terraform runs (a profile, the
   * environment, or the ECS metadata service). Passed to the handler in the provisioners'
   * environment, never on a command line; it wins over `HW_ASSUME_ROLE_*` and a profile's agency.
   * Literal values only: destroy-time provisioners cannot read Terraform variables.
   *
   * @default - the agency of `HW_ASSUME_ROLE_AGENCY_NAME` or of the profile, if any; else none
   */
  readonly assumeRole?: AssumeRole;
}
