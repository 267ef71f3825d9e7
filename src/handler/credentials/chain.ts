import { ASSUME_ROLE_DURATION, CREDENTIAL_ENV, INPUT_ENV, METADATA_OFF } from '../../contract';
import type { CredentialSettings, IamSettings } from '../config';
import { GaveUpError, InvalidInputError } from '../errors';
import type { ApiClient } from '../http-client';
import type { Log } from '../log';
import { assumeRole, describeAgency, type Agency } from './assume-role';
import { fixedSource, RenewingSource, type Credentials, type CredentialSource } from './credentials';
import { environmentCredentials } from './environment';
import { metadataCredentials, type MetadataSettings } from './metadata';
import { readProfile, type Profile } from './profile';

/**
 * The credential chain, in terraform-provider-huaweicloud's order: a profile when one is asked for
 * (it replaces the environment's keys, even when it has none of its own: an `ecsAgency` profile),
 * else the environment, else the ECS metadata service; then the agency, if any, assumed on top:
 * the construct's assumeRole, else the profile's, else HW_ASSUME_ROLE_*.
 *
 * In two steps, so that a run whose configuration cannot work stops before any request: the plan
 * (files and the environment only), then the credentials (the metadata service, IAM).
 */

export interface CredentialPlan {
  readonly profile?: Profile;
  readonly agency?: Agency;
  /** A profile's or the environment's keys, or the metadata service that is to give them. */
  readonly base: { readonly keys: Credentials } | { readonly metadata: MetadataSettings };
  /** What each source looked at before the metadata service lacked, for the error if it gives nothing either. */
  readonly lacks: readonly string[];
}

export interface ObtainOptions {
  readonly log: Log;
  /** An IAM client that signs with `credentials`. */
  readonly iam: (credentials: CredentialSource) => ApiClient;
  readonly beforeV8FlagChange?: () => void;
}

const WAYS = `Give credentials in one of the ways terraform-provider-huaweicloud takes: ${CREDENTIAL_ENV.profile} (a KooCLI profile), `
  + `${CREDENTIAL_ENV.accessKey[0]} and ${CREDENTIAL_ENV.secretKey[0]} in the environment that runs Terraform, or an agency bound to the ECS it runs on`;

function noCredentials(lacks: readonly string[], hint: string): InvalidInputError {
  return new InvalidInputError(`no Huawei Cloud credentials: ${lacks.join('; ')}`, { hint: `${hint}. Nothing was sent to the API` });
}

/** Which sources give what, from files and the environment only; throws when no source can give keys or the agency cannot be reached. */
export function planCredentials(settings: CredentialSettings, iam: IamSettings, log: Log): CredentialPlan {
  const lacks: string[] = [];
  let keys: Credentials | undefined;
  const profile = settings.profile && readProfile(settings.profile);
  if (profile?.credentials) {
    keys = profile.credentials;
    log.learn(keys.accessKey, keys.secretKey, keys.securityToken);
  } else if (profile) {
    lacks.push(`${profile.label} has mode ecsAgency, whose keys come from the ECS metadata service`);
  } else {
    lacks.push(`no KooCLI profile (neither ${CREDENTIAL_ENV.sharedConfigFile} nor ${CREDENTIAL_ENV.profile} is set)`);
    const environment = environmentCredentials(settings.environment);
    keys = environment.credentials;
    if (environment.lack) lacks.push(environment.lack);
  }
  const base = keys ? { keys } : settings.metadata && { metadata: settings.metadata };
  if (base === undefined) {
    throw noCredentials([...lacks, `the ECS metadata service is not asked (${INPUT_ENV.metadataEndpoint}=${METADATA_OFF})`], WAYS);
  }

  const fromProfile: Agency | undefined = profile?.agency
    && { ...profile.agency, durationSeconds: ASSUME_ROLE_DURATION.default, from: profile.label };
  const agency = settings.agency.fromProp ?? fromProfile ?? settings.agency.fromEnvironment;
  if (agency && iam.problem) {
    throw new InvalidInputError(`cannot assume ${describeAgency(agency)} (${agency.from}): ${iam.problem}`, { hint: 'Nothing was sent to the API' });
  }
  return { profile, agency, base, lacks };
}

/**
 * The credentials to sign with, obtained now (so that a source that gives none fails the run before
 * any ECS request) and again whenever they would expire during an attempt. Every secret is redacted
 * from the moment it is read (./credentials).
 */
export async function obtainCredentials(
  plan: CredentialPlan, options: ObtainOptions,
): Promise<{ readonly credentials: CredentialSource; readonly baseAccessKey: string }> {
  const { log, beforeV8FlagChange } = options;
  const planned = plan.base;
  const base = 'keys' in planned
    ? fixedSource(planned.keys)
    : new RenewingSource(() => metadataCredentials(planned.metadata, { learn: (token) => log.learn(token), beforeV8FlagChange }));
  const first = await base.credentials(Date.now()).catch((error: unknown) => {
    throw error instanceof GaveUpError ? noCredentials([...plan.lacks, error.message], error.hint ?? WAYS) : error;
  });
  const agency = plan.agency;
  if (agency === undefined) return { credentials: base, baseAccessKey: first.accessKey };
  const iam = options.iam(base);
  const assumed = new RenewingSource(() => assumeRole(iam, agency, first.source));
  await assumed.credentials(Date.now());
  return { credentials: assumed, baseAccessKey: first.accessKey };
}
