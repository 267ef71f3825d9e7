/** Which of the emulated services a request was for, told apart by its path. */
export type ServiceName = 'ecs' | 'iam' | 'metadata';

/** What the emulator saw of one API request (control-plane requests are not logged). */
export interface RequestRecord {
  /** `ecs` for every path that is neither IAM's nor the metadata service's. */
  readonly service: ServiceName;
  readonly method: string;
  /** As received: path and query string. */
  readonly path: string;
  /** Absent when no response was sent (a `reset` or `hang` fault). */
  readonly status?: number;
  /** The fault action that handled the request, or `rate-limit` when throttling answered it. */
  readonly fault?: string;
  /** With a `takesEffect` fault: the status of the API's own answer, which the client may never have seen. */
  readonly effect?: number;
  /** Arrival time on the emulator's clock (real clock + offset), in epoch milliseconds. */
  readonly at: number;
  readonly requestId: string;
}

export type OpenRecord = { -readonly [K in keyof RequestRecord]: RequestRecord[K] };

/** A long-running CLI emulator must not grow without bound; tests never get near this. */
const MAX_RECORDS = 10_000;

export class RequestLog {
  private records: OpenRecord[] = [];

  /** Records an arrival; the caller fills in status and fault as the request is handled. */
  open(record: OpenRecord): OpenRecord {
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.shift();
    return record;
  }

  list(): RequestRecord[] {
    return this.records.map((record) => ({ ...record }));
  }

  clear(): void {
    this.records = [];
  }
}
