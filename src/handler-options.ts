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
   * The Node.js executable that runs the handler where Terraform runs (a name on PATH or an
   * absolute path). Node 20 or newer.
   *
   * @default "node"
   */
  readonly nodeExecutable?: string;
}
