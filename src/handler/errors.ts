import { EXIT_CODES } from '../contract';
import { parseJson } from './json-text';
import { redact } from './redaction';

/** What an API response says about a failure, read from either Huawei error-body shape. */
export interface ApiFault {
  readonly status: number;
  /** Huawei error code, e.g. `APIGW.0308` or `Ecs.0005`. */
  readonly code?: string;
  /** The API's message, or a short excerpt of a body that is not a Huawei error (an HTML page). */
  readonly message?: string;
  readonly requestId?: string;
}

/** The parts of an HTTP response the handler looks at. */
export interface ApiResponse {
  readonly status: number;
  /** Lower-case names, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const EXCERPT_LENGTH = 160;
const MESSAGE_LENGTH = 400;

/** One line, no control characters, no secret (redacted before it is cut: ./redaction), at most `max` characters. */
export function oneLine(value: string, max: number = MESSAGE_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  const flat = redact(value).replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function header(response: ApiResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value || undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/**
 * Reads a response as a Huawei error: nested `{"error":{"code","message"}}` or flat
 * `{"error_code","error_msg","request_id"}`. The request id comes from `X-Request-Id`, then
 * `X-Openstack-Request-Id`, then the body. Any other page (HTML, text) becomes a short excerpt; any
 * other JSON is described, never quoted: an answer that carries credentials (the metadata service's,
 * assume-role's) must not be printed, however broken.
 */
export function readFault(response: ApiResponse): ApiFault {
  const looksLikeJson = /^\s*[[{]/.test(response.body);
  const parsed = looksLikeJson ? parseJson(response.body) : undefined;
  const value = parsed && 'value' in parsed ? parsed.value : undefined;
  const body = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const nested = body.error !== null && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : {};
  const code = text(nested.code) ?? text(body.error_code) ?? text(body.code);
  const message = text(nested.message) ?? text(body.error_msg) ?? text(body.message);
  const requestId = header(response, 'x-request-id') ?? header(response, 'x-openstack-request-id') ?? text(body.request_id);
  if (code || message) {
    return { status: response.status, code: code && oneLine(code, 40), message: message && oneLine(message), requestId };
  }
  if (parsed) {
    const described = 'problem' in parsed ? parsed.problem : 'JSON without an error code or message';
    return { status: response.status, message: `response body: ${described}`, requestId };
  }
  const excerpt = oneLine(response.body.replace(/<[^>]*>/g, ' '), EXCERPT_LENGTH);
  return { status: response.status, message: excerpt ? `response body: ${excerpt}` : undefined, requestId };
}

/** `HTTP 400 Ecs.0005: request body is illegal. (request id 1234)`, the message cut to `messageLength`. */
export function describeFault(fault: ApiFault, messageLength: number = MESSAGE_LENGTH): string {
  const code = fault.code ? ` ${fault.code}` : '';
  const message = fault.message ? `: ${oneLine(fault.message, messageLength)}` : '';
  const requestId = fault.requestId ? ` (request id ${fault.requestId})` : '';
  return `HTTP ${fault.status}${code}${message}${requestId}`;
}

export interface HandlerErrorDetails {
  /** What the handler was doing, e.g. `disassociate FPGA image … from ECS image …`. */
  readonly operation?: string;
  /** The API's answer, when there was one. */
  readonly fault?: ApiFault;
  /** What the person reading the message should do. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/**
 * Base of every failure the handler reports: carries the exit code and the parts of the one line
 * printed for people (operation, HTTP status, Huawei code and message, request id, what to do).
 */
export abstract class HandlerError extends Error {
  public abstract readonly exitCode: number;
  public readonly operation?: string;
  public readonly fault?: ApiFault;
  public readonly hint?: string;

  public constructor(cause: string, details: HandlerErrorDetails = {}) {
    super(cause, { cause: details.cause });
    this.name = new.target.name;
    this.operation = details.operation;
    this.fault = details.fault;
    this.hint = details.hint;
  }

  /** The one line printed on failure. */
  public describe(): string {
    const what = this.operation ? `${this.operation} failed: ` : '';
    const hint = this.hint ? `. ${this.hint}` : '';
    return `${what}${this.message}${hint}`;
  }
}

/** Bad input or configuration; nothing was sent. */
export class InvalidInputError extends HandlerError {
  public readonly exitCode = EXIT_CODES.invalidInput;
  /**
   * Whether the association's own inputs (its IDs, endpoint or region) are what is wrong, rather than
   * the environment (credentials, tuning, proxy): no request was ever sent for such an association.
   */
  public readonly invalidAssociation: boolean;

  public constructor(cause: string, details: HandlerErrorDetails & { readonly invalidAssociation?: boolean } = {}) {
    super(cause, details);
    this.invalidAssociation = details.invalidAssociation ?? false;
  }
}

/** The API refused the request for good (a 4xx other than authentication or throttling). */
export class RejectedError extends HandlerError {
  public readonly exitCode = EXIT_CODES.rejected;
}

/** Authentication or authorisation failed (401/403); never retried. */
export class AuthError extends HandlerError {
  public readonly exitCode = EXIT_CODES.authFailed;
}

/** Transient failures outlasted the attempts or the total timeout, or the API could not be reached. */
export class GaveUpError extends HandlerError {
  public readonly exitCode = EXIT_CODES.gaveUp;
  /** Whether an attempt may have been carried out by the API although no answer said so. */
  public readonly outcomeUnknown: boolean;

  public constructor(cause: string, details: HandlerErrorDetails & { readonly outcomeUnknown?: boolean } = {}) {
    super(cause, details);
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }
}

/** The API answered 2xx with something the handler cannot read. */
export class UnexpectedResponseError extends HandlerError {
  public readonly exitCode = EXIT_CODES.internal;
}
