import { CREDENTIAL_ENV } from '../../contract';
import { checkAgencyField, checkId, showValue } from '../../rules';
import { InvalidInputError } from '../errors';
import { readRegularFile } from '../file-read';
import { parseJson } from '../json-text';
import type { Credentials } from './credentials';

/**
 * Source a: a KooCLI profile (`~/.hcloud/config.json`), read as terraform-provider-huaweicloud reads
 * it: the profile named by HW_PROFILE, else the file's `current`; an SSO profile's keys under
 * `ssoAuth.stsToken`; an `ecsAgency` profile has none (the metadata service gives them). The
 * profile's project and agency feed the project rule and the agency rule. Any problem with a file
 * that was asked for stops the run: falling back to other keys would act with credentials the user
 * did not choose.
 */

export interface ProfileSettings {
  /** The file, `~` expanded. */
  readonly file: string;
  /** Where the file's name came from, for messages: a variable, or the default. */
  readonly fileFrom: string;
  /** HW_PROFILE; undefined: the file's `current`. */
  readonly profile?: string;
}

export interface Profile {
  /** `the KooCLI profile "name" in /path/config.json`, for messages. */
  readonly label: string;
  /** Undefined for an `ecsAgency` profile, whose keys come from the ECS metadata service. */
  readonly credentials?: Credentials;
  readonly projectId?: string;
  readonly agency?: { readonly agencyName: string; readonly domainName: string };
}

const ECS_AGENCY_MODE = 'ecsAgency';
const SSO_MODE = 'SSO';
const DECRYPT_FIX = 'hcloud configure set --cli-auth-encrypt=false';
/** Plain AK/SK/tokens are letters, digits and `-`/`_`; KooCLI's encrypted values are base64 or hex with other marks. */
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;
/** KooCLI's file holds a few profiles: a few KB. */
const MAX_PROFILE_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function fail(message: string, hint: string): never {
  throw new InvalidInputError(message, { hint: `${hint}. Nothing was sent to the API` });
}

/** Reads the profile; throws InvalidInputError (one line naming the file, the profile and the fix) when it cannot be used. */
export function readProfile(settings: ProfileSettings): Profile {
  const file = `${settings.file} (${settings.fileFrom})`;
  const unset = `or unset ${CREDENTIAL_ENV.sharedConfigFile} and ${CREDENTIAL_ENV.profile} to use other credentials`;
  let content: string;
  try {
    content = readRegularFile(settings.file, MAX_PROFILE_BYTES).toString('utf8');
  } catch (error) {
    fail(`cannot read the KooCLI profile file ${file}: ${(error as Error).message}`, `Create it with \`hcloud configure init\`, point ${CREDENTIAL_ENV.sharedConfigFile} at it, ${unset}`);
  }
  const read = parseJson(content);
  if ('problem' in read) {
    fail(`the KooCLI profile file ${file} is ${read.problem}`, `Fix the file (\`hcloud configure list\` shows what KooCLI reads), ${unset}`);
  }
  const parsed = read.value;
  const root = isObject(parsed) ? parsed : {};
  const profiles = Array.isArray(root.profiles) ? root.profiles.filter(isObject) : [];
  const names = profiles.map((p) => text(p.name)).filter((n): n is string => n !== undefined);
  const name = settings.profile ?? text(root.current);
  const known = names.length > 0 ? `its profiles: ${names.map((n) => showValue(n)).join(', ')}` : 'it has no profiles';
  if (name === undefined) {
    fail(`the KooCLI profile file ${file} names no current profile, and ${CREDENTIAL_ENV.profile} is not set (${known})`, `Set ${CREDENTIAL_ENV.profile} to one of them`);
  }
  const profile = profiles.find((p) => text(p.name) === name);
  const nameFrom = settings.profile === undefined ? 'its "current"' : CREDENTIAL_ENV.profile;
  if (profile === undefined) {
    fail(`the KooCLI profile file ${file} has no profile ${showValue(name)} (from ${nameFrom}); ${known}`, `Set ${CREDENTIAL_ENV.profile} to one of them, or add it with \`hcloud configure set --cli-profile=${name}\``);
  }
  const label = `the KooCLI profile ${showValue(name)} in ${settings.file}`;
  return {
    label,
    credentials: profileKeys(profile, root, label),
    projectId: profileProject(profile, label),
    agency: profileAgency(profile, label),
  };
}

function profileKeys(profile: Json, root: Json, label: string): Credentials | undefined {
  const mode = text(profile.mode);
  if (mode === ECS_AGENCY_MODE) return undefined;
  if (text(root.authEncrypt) === 'true') {
    fail(`${label} holds encrypted keys (its file has "authEncrypt": "true"), which only KooCLI can read`, `Run \`${DECRYPT_FIX}\` (then configure the profile again)`);
  }
  const sso = mode === SSO_MODE;
  const keys: Json = sso ? (isObject(profile.ssoAuth) && isObject(profile.ssoAuth.stsToken) ? profile.ssoAuth.stsToken : {}) : profile;
  const where = sso ? 'ssoAuth.stsToken.' : '';
  const accessKey = text(keys.accessKeyId);
  const secretKey = text(keys.secretAccessKey);
  const securityToken = text(keys.securityToken);
  if (accessKey === undefined || secretKey === undefined) {
    const missing = [accessKey ? undefined : `${where}accessKeyId`, secretKey ? undefined : `${where}secretAccessKey`].filter(Boolean).join(' and ');
    fail(`${label} (mode ${showValue(mode ?? '')}) has no ${missing}`, sso
      ? 'Log in again with `hcloud configure sso`, which writes the temporary keys'
      : `Add the keys with \`hcloud configure set --cli-profile=<name> --cli-access-key=<AK> --cli-secret-key=<SK>\`, or use mode ${ECS_AGENCY_MODE} on an ECS with an agency`);
  }
  if (![accessKey, secretKey, securityToken].every((key) => key === undefined || PLAIN_KEY.test(key))) {
    fail(`${label} holds keys that are not plain access keys (KooCLI encrypted them)`, `Run \`${DECRYPT_FIX}\` (then configure the profile again)`);
  }
  return { accessKey, secretKey, securityToken, source: label };
}

function profileProject(profile: Json, label: string): string | undefined {
  const projectId = text(profile.projectId);
  const problem = projectId && checkId('projectId', projectId, `projectId of ${label}`);
  if (problem) fail(problem, 'Fix it with `hcloud configure set --cli-project-id=<id>`, or remove it');
  return projectId;
}

function profileAgency(profile: Json, label: string): Profile['agency'] {
  const agencyName = text(profile.agencyName);
  const domainName = text(profile.agencyDomainName);
  if (agencyName === undefined && domainName === undefined) return undefined;
  if (agencyName === undefined || domainName === undefined) {
    fail(`${label} has ${agencyName ? 'agencyName but no agencyDomainName' : 'agencyDomainName but no agencyName'}`, 'Set both (the agency and its account), or neither');
  }
  const problem = checkAgencyField('agencyName', agencyName, `agencyName of ${label}`) ?? checkAgencyField('domainName', domainName, `agencyDomainName of ${label}`);
  if (problem) fail(problem, 'Fix the profile');
  return { agencyName, domainName };
}
