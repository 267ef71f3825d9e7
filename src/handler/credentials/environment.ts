import type { Credentials } from './credentials';
import { CREDENTIAL_ENV } from '../../contract';

/**
 * Source b: keys in the environment that runs Terraform, under terraform-provider-huaweicloud's
 * names or the SDKs' (../config reads them).
 */

/** A variable that is set: its name, for messages, and its value. */
export interface Variable {
  readonly name: string;
  readonly value: string;
}

export interface EnvironmentKeys {
  readonly accessKey?: Variable;
  readonly secretKey?: Variable;
  readonly securityToken?: Variable;
}

/** The environment's credentials, or what the environment lacks. */
export function environmentCredentials({ accessKey, secretKey, securityToken }: EnvironmentKeys): { credentials?: Credentials; lack?: string } {
  if (accessKey && secretKey) {
    return {
      credentials: {
        accessKey: accessKey.value,
        secretKey: secretKey.value,
        securityToken: securityToken?.value,
        source: [accessKey.name, secretKey.name, securityToken?.name].filter(Boolean).join(', '),
      },
    };
  }
  const missing = [
    accessKey ? undefined : `access key (${CREDENTIAL_ENV.accessKey.join(' or ')})`,
    secretKey ? undefined : `secret key (${CREDENTIAL_ENV.secretKey.join(' or ')})`,
  ].filter(Boolean);
  return { lack: `the environment has no ${missing.join(' and no ')}` };
}
