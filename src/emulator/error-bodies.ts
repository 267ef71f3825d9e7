/**
 * The two error-body shapes Huawei Cloud returns (reference §2.2). Emulating both keeps clients
 * honest: the gateway answers authentication, throttling and routing failures itself, ECS answers
 * the rest.
 */

/** API-gateway errors: flat, with the request id in the body. */
export function gatewayError(code: string, message: string, requestId: string): object {
  return { error_msg: message, error_code: code, request_id: requestId };
}

/** ECS service errors: nested under `error`, as Huawei's own FPGA client parses them. */
export function ecsError(code: string, message: string): object {
  return { error: { code, message } };
}

const TITLES: Readonly<Record<number, string>> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' };

/** IAM service errors: Keystone's `{"error":{"code","message","title"}}` with an IAM code (docs/EMULATOR.md: inferred). */
export function iamError(status: number, code: string, message: string): object {
  return { error: { code, message, title: TITLES[status] } };
}
