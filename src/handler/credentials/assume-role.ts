import { showValue } from '../../rules';
import { describeFault, readFault, RejectedError, UnexpectedResponseError } from '../errors';
import type { ApiClient } from '../http-client';
import { readTemporaryCredential, type Credentials } from './credentials';

/**
 * Source d: an IAM agency assumed on top of the base credentials (IAM v3 assume-role, signed with
 * them), as terraform-provider-huaweicloud's assume_role does. The result acts in the delegating
 * account.
 */

export interface Agency {
  readonly agencyName: string;
  /** The delegating account, by name or by ID (one of them). */
  readonly domainName?: string;
  readonly domainId?: string;
  readonly durationSeconds: number;
  /** Where it was configured, for messages: a variable or a profile. */
  readonly from: string;
}

const PATH = '/v3.0/OS-CREDENTIAL/securitytokens';
const PERMISSION = 'iam:agencies:assume';

export function describeAgency(agency: Agency): string {
  const account = agency.domainName === undefined ? `account ID ${agency.domainId}` : `account ${showValue(agency.domainName)}`;
  return `agency ${showValue(agency.agencyName)} of ${account}`;
}

/** Temporary credentials of `agency`, from IAM called with the base credentials (`iam`, named by `baseSource`). */
export async function assumeRole(iam: ApiClient, agency: Agency, baseSource: string): Promise<Credentials> {
  const agencyText = describeAgency(agency);
  const operation = `assume ${agencyText} (${agency.from})`;
  const domain = agency.domainName === undefined ? { domain_id: agency.domainId } : { domain_name: agency.domainName };
  const response = await iam.call({
    method: 'POST',
    path: PATH,
    body: { auth: { identity: { methods: ['assume_role'], assume_role: { agency_name: agency.agencyName, ...domain, duration_seconds: agency.durationSeconds } } } },
    operation,
    permission: PERMISSION,
    forbiddenHint: `IAM refused to let the base credentials (${baseSource}) assume ${agencyText}: check the agency's name and account, `
      + `that the agency trusts the account of these credentials, and that their user may assume it (${PERMISSION})`,
  });
  const fault = readFault(response);
  if (response.status < 200 || response.status >= 300) {
    throw new RejectedError(describeFault(fault), { operation, fault, hint: `Check ${agency.from}: the agency's name, its account and the duration (900 to 86400 s)` });
  }
  const read = readTemporaryCredential(response.body, `${agencyText}, assumed with ${baseSource}`);
  if ('problem' in read) {
    throw new UnexpectedResponseError(`HTTP ${response.status} with ${read.problem}`, {
      operation,
      fault,
      hint: 'IAM answered in an unknown format: report this with the request id',
    });
  }
  return read.credentials;
}
