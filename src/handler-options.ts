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
   * small state file in the temp directory coordinates them). Set it a little below the API's rate
   * limit so that throttling is avoided rather than retried; a fraction such as 0.5 means one
   * request every 2 seconds. From 0.001 to 1000.
   *
   * @default - requests are not paced: throttling answers (429, APIGW.0308) are retried with backoff
   */
  readonly maxRequestsPerSecond?: number;

  /**
   * The Node.js executable that runs the handler where Terraform runs (a name on PATH or an
   * absolute path). Node 20 or newer.
   *
   * @default "node"
   */
  readonly nodeExecutable?: string;
}
