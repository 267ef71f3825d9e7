import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACCESS_KEY, ecsRequests, Env, envFor, itNeverPrintsCredentials, lines, runHandler, SECRET_KEY, traffic, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_AGENCY, DEMO_CREDENTIALS } from '../../src/emulator/server';

/**
 * Where the handler finds credentials, in terraform-provider-huaweicloud's order: a KooCLI profile,
 * the environment, the ECS metadata service (the emulator's), then an agency assumed on top.
 */

const SSO = { accessKey: 'SSOTEMPORARYKEY00000', secretKey: 'sso-temporary-secret-key-value', securityToken: 'sso-security-token-value-0123456789' };
const WRONG = { HW_ACCESS_KEY: 'WRONGACCESSKEY000000', HW_SECRET_KEY: 'wrong-secret-key-never-to-be-used' };
const ENCRYPTED = { accessKeyId: 'aGVsbG8+d29ybGQ=', secretAccessKey: 'c2VjcmV0/a2V5K2Vu==' };
const UNTRUSTED_AGENCY = 'not_trusted_agency';

const context = useEmulator({ credentials: [DEMO_CREDENTIALS, SSO] });

/** Made at load: the tables of cases name files in it. */
const scratch = mkdtempSync(path.join(tmpdir(), 'fpga-credentials-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const KEYS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

/** A KooCLI file as KooCLI writes it with --cli-auth-encrypt=false. */
const KOOCLI_FILE = {
  authEncrypt: 'false',
  current: 'default',
  language: 'en',
  profiles: [
    { name: 'default', mode: 'AKSK', ...KEYS, securityToken: '', region: 'cn-north-1', projectId: '', domainId: '' },
    { name: 'sso', mode: 'SSO', region: 'cn-north-1', ssoAuth: { stsToken: { accessKeyId: SSO.accessKey, secretAccessKey: SSO.secretKey, securityToken: SSO.securityToken } } },
    { name: 'onecs', mode: 'ecsAgency', region: 'cn-north-1' },
    { name: 'delegated', mode: 'AKSK', ...KEYS, agencyName: DEMO_AGENCY.agencyName, agencyDomainName: DEMO_AGENCY.domainName },
    { name: 'untrusted', mode: 'AKSK', ...KEYS, agencyName: UNTRUSTED_AGENCY, agencyDomainName: DEMO_AGENCY.domainName },
    { name: 'nokeys', mode: 'AKSK', region: 'cn-north-1' },
    { name: 'sso-nokeys', mode: 'SSO', region: 'cn-north-1' },
    { name: 'ciphertext', mode: 'AKSK', ...ENCRYPTED },
  ],
};

let files = 0;
/** Writes `content` (an object as JSON, a string as it is) to a new file; returns its path. */
function profileFile(content: object | string): string {
  const file = path.join(scratch, `config-${++files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The association's inputs with no keys in the environment, and `overrides`. */
function keyless(overrides: Env = {}): Env {
  return envFor(context.emu, { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined, ...overrides });
}

function withProfile(profile: string | undefined, overrides: Env = {}): Env {
  return keyless({ HW_SHARED_CONFIG_FILE: profileFile(KOOCLI_FILE), HW_PROFILE: profile, ...overrides });
}

function fromMetadata(overrides: Env = {}): Env {
  return keyless({ FPGA_ASSOC_METADATA_ENDPOINT: context.emu.url, ...overrides });
}

const AGENCY_PROP = { FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName, FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName };
const AGENCY_ENV = { HW_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName, HW_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName };
const UNTRUSTED_ENV = { HW_ASSUME_ROLE_AGENCY_NAME: UNTRUSTED_AGENCY, HW_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName };

describe('a KooCLI profile', () => {
  it('HW_PROFILE names it in HW_SHARED_CONFIG_FILE, and it wins over keys in the environment', async () => {
    const run = await runHandler(['associate'], withProfile('default', WRONG));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['ecs POST 204']);
  });

  it("without HW_PROFILE, the file's current profile", async () => {
    const run = await runHandler(['associate'], withProfile(undefined, WRONG));

    expect(run.code).toBe(EXIT_CODES.ok);
  });

  it('HW_PROFILE alone: the default file, ~/.hcloud/config.json', async () => {
    const home = mkdtempSync(path.join(scratch, 'home-'));
    mkdirSync(path.join(home, '.hcloud'));
    writeFileSync(path.join(home, '.hcloud', 'config.json'), JSON.stringify(KOOCLI_FILE));
    const run = await runHandler(['associate'], keyless({ HOME: home, HW_PROFILE: 'default' }));

    expect(run.code).toBe(EXIT_CODES.ok);
  });

  it('~ in HW_SHARED_CONFIG_FILE is the home directory', async () => {
    const home = path.dirname(profileFile(KOOCLI_FILE));
    const run = await runHandler(['associate'], keyless({ HOME: home, HW_SHARED_CONFIG_FILE: `~/config-${files}.json` }));

    expect(run.code).toBe(EXIT_CODES.ok);
  });

  it('an SSO profile signs with its ssoAuth.stsToken, token included (the emulator checks it)', async () => {
    const run = await runHandler(['associate'], withProfile('sso'));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['ecs POST 204']);
  });

  it('an ecsAgency profile takes its keys from the metadata service, never from the environment', async () => {
    const run = await runHandler(['associate'], withProfile('onecs', { ...WRONG, FPGA_ASSOC_METADATA_ENDPOINT: context.emu.url }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['metadata PUT 200', 'metadata GET 200', 'ecs POST 204']);
  });

  it('an ecsAgency profile with the metadata service off: no credentials, and the line says why', async () => {
    const run = await runHandler(['associate'], withProfile('onecs', WRONG));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toEqual([expect.stringContaining(
      `no Huawei Cloud credentials: the KooCLI profile "onecs" in ${scratch}/config-${files}.json has mode ecsAgency, whose keys come from the ECS metadata service; `
      + 'the ECS metadata service is not asked (FPGA_ASSOC_METADATA_ENDPOINT=off)',
    )]);
    expect(context.emu.requests()).toEqual([]);
  });

  describe('that cannot be used: one line naming the file, the profile and the fix; exit 2; nothing sent', () => {
    it.each<[string, () => Env, string[]]>([
      ['a missing file', () => keyless({ HW_SHARED_CONFIG_FILE: path.join(scratch, 'absent.json') }),
        [`cannot read the KooCLI profile file ${path.join(scratch, 'absent.json')} (HW_SHARED_CONFIG_FILE)`, 'hcloud configure init']],
      ['malformed JSON', () => keyless({ HW_SHARED_CONFIG_FILE: profileFile('{"current": "default", "profiles": [') }),
        ['is not valid JSON', 'Fix the file']],
      ['an unknown profile', () => withProfile('nosuch'),
        ['has no profile "nosuch" (from HW_PROFILE); its profiles: "default", "sso", "onecs", "delegated", "untrusted", "nokeys", "sso-nokeys", "ciphertext"']],
      ['an encrypted file (authEncrypt "true")', () => keyless({ HW_SHARED_CONFIG_FILE: profileFile({ ...KOOCLI_FILE, authEncrypt: 'true' }) }),
        ['the KooCLI profile "default" in', 'holds encrypted keys', 'hcloud configure set --cli-auth-encrypt=false']],
      ['keys that are not plain keys', () => withProfile('ciphertext'),
        ['the KooCLI profile "ciphertext" in', 'not plain access keys', 'hcloud configure set --cli-auth-encrypt=false']],
      ['an AKSK profile without keys', () => withProfile('nokeys'), ['the KooCLI profile "nokeys" in', '(mode "AKSK") has no accessKeyId and secretAccessKey']],
      ['an SSO profile without its stsToken', () => withProfile('sso-nokeys'),
        ['(mode "SSO") has no ssoAuth.stsToken.accessKeyId and ssoAuth.stsToken.secretAccessKey', 'hcloud configure sso']],
    ])('%s', async (_, env, expected) => {
      const run = await runHandler(['associate'], env());

      expect(run.code).toBe(EXIT_CODES.invalidInput);
      expect(lines(run)).toHaveLength(1);
      for (const text of expected) expect(run.stderr).toContain(text);
      expect(run.stderr).toContain('Nothing was sent to the API');
      expect(context.emu.requests()).toEqual([]);
    });

    it('even for disassociate: the association may exist, and only the right credentials can remove it', async () => {
      const run = await runHandler(['disassociate'], withProfile('nosuch'));

      expect(run.code).toBe(EXIT_CODES.invalidInput);
      expect(context.emu.requests()).toEqual([]);
    });
  });
});

describe('the environment', () => {
  it('wins over the metadata service, which is then never asked', async () => {
    const run = await runHandler(['associate'], envFor(context.emu, { FPGA_ASSOC_METADATA_ENDPOINT: context.emu.url }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['ecs POST 204']);
  });
});

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the ECS metadata service', () => {
  it('a session token first, then the security key; the temporary credentials sign with their token', async () => {
    const run = await runHandler(['associate'], fromMetadata());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['metadata PUT 200', 'metadata GET 200', 'ecs POST 204']);
  });

  it('without session tokens (404 to the PUT): goes on without one', async () => {
    context.emu.setMetadata({ tokens: false });
    const run = await runHandler(['associate'], fromMetadata());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['metadata PUT 404', 'metadata GET 200', 'ecs POST 204']);
  });

  it('no agency bound to the server: said as such, with every source looked at; exit 2, nothing sent to ECS', async () => {
    context.emu.setMetadata({ agency: false });
    const run = await runHandler(['associate'], fromMetadata());

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toEqual([
      'fpga-image-association: no Huawei Cloud credentials: no KooCLI profile (neither HW_SHARED_CONFIG_FILE nor HW_PROFILE is set); '
      + 'the environment has no access key (HW_ACCESS_KEY or HUAWEICLOUD_SDK_AK) and no secret key (HW_SECRET_KEY or HUAWEICLOUD_SDK_SK); '
      + `the ECS metadata service at ${context.emu.url} says this server has no agency ("Please configure Cloud Service Agency first"). `
      + "Bind an agency to this ECS (the ECS console: the server's Management Information, Agency), or give credentials another way. Nothing was sent to the API",
    ]);
    expect(ecsRequests(context.emu)).toEqual([]);
  });

  it('a 401 to the security key: the endpoint and the answer; exit 2, nothing sent to ECS', async () => {
    context.emu.addFaults([{ method: 'GET', path: '/openstack/latest/securitykey', status: 401, body: 'Unauthorized' }]);
    const run = await runHandler(['associate'], fromMetadata());

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain(`the ECS metadata service at ${context.emu.url} answered GET /openstack/latest/securitykey with HTTP 401: response body: Unauthorized`);
    expect(ecsRequests(context.emu)).toEqual([]);
  });

  it('down: says it cannot be reached, at once', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await runHandler(['associate'], fromMetadata({ FPGA_ASSOC_METADATA_ENDPOINT: endpoint }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain(`the ECS metadata service at ${endpoint} cannot be reached`);
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.ms).toBeLessThan(2_000);
  });

  it.each([
    ['the token', { method: 'PUT', path: '/meta-data/latest/api/token' }],
    ['the security key, after a token', { method: 'GET', path: '/openstack/latest/securitykey' }],
  ])('silent on %s: the whole source gives up after 2 s', async (_, where) => {
    context.emu.addFaults([{ ...where, action: 'hang' }]);
    const run = await runHandler(['associate'], fromMetadata());

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain(`the ECS metadata service at ${context.emu.url} did not answer within 2 s`);
    expect(run.ms).toBeGreaterThanOrEqual(2_000);
    expect(run.ms).toBeLessThan(4_000);
    expect(ecsRequests(context.emu)).toEqual([]);
  });

  it('a credential that would expire during the retries is obtained again, never sent expired', async () => {
    context.emu.setTemporaryCredentialTtl(2_000);
    context.emu.addFaults([{ method: 'POST', path: '/association', status: 503, headers: { 'Retry-After': '2' } }]);
    const run = await runHandler(['associate'], fromMetadata({ FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '500' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['metadata PUT 200', 'metadata GET 200', 'ecs POST 503', 'metadata PUT 200', 'metadata GET 200', 'ecs POST 204']);
  });

  it('a temporary credential the API echoes back is masked, as permanent keys are', async () => {
    const { emu } = context;
    const token = await (await fetch(`${emu.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } })).text();
    const { credential } = await (await fetch(`${emu.url}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': token } })).json() as {
      credential: { access: string; secret: string; securitytoken: string };
    };
    emu.addFaults([{ method: 'POST', path: '/association', status: 400, body: { error: { code: 'Ecs.0005', message: `echo ${credential.access} ${credential.secret} ${credential.securitytoken}` } } }]);
    const run = await runHandler(['associate'], fromMetadata());

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(run.stderr).toContain('echo [redacted] [redacted] [redacted]');
    for (const secret of Object.values(credential)) expect(run.stderr + run.stdout).not.toContain(secret);
  });
});

describe('an agency, assumed on top of the base credentials', () => {
  const assumed = ['iam POST 201', 'ecs POST 204'];

  it("the construct's assumeRole, with the environment's keys: IAM's temporary credentials act", async () => {
    const run = await runHandler(['associate'], envFor(context.emu, { ...AGENCY_PROP, HW_AUTH_URL: context.emu.url }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(assumed);
  });

  it('by the account ID', async () => {
    const run = await runHandler(['associate'], envFor(context.emu, {
      FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName,
      FPGA_ASSOC_ASSUME_ROLE_DOMAIN_ID: DEMO_AGENCY.domainId,
      HW_AUTH_URL: context.emu.url,
    }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(assumed);
  });

  it('HW_ASSUME_ROLE_DOMAIN_NAME and HW_ASSUME_ROLE_DOMAIN_ID both: the name is sent, as the provider sends it', async () => {
    const run = await runHandler(['associate'], envFor(context.emu, { ...AGENCY_ENV, HW_ASSUME_ROLE_DOMAIN_ID: '0'.repeat(32), HW_AUTH_URL: context.emu.url }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(assumed);
  });

  it("the construct's wins over the profile's, which wins over HW_ASSUME_ROLE_*", async () => {
    const propWins = await runHandler(['associate'], withProfile('untrusted', { ...AGENCY_PROP, ...UNTRUSTED_ENV, HW_AUTH_URL: context.emu.url }));
    const profileWins = await runHandler(['associate'], withProfile('delegated', { ...UNTRUSTED_ENV, HW_AUTH_URL: context.emu.url }));
    const profileOverEnvironment = await runHandler(['associate'], withProfile('untrusted', { ...AGENCY_ENV, HW_AUTH_URL: context.emu.url }));
    const environmentAlone = await runHandler(['associate'], envFor(context.emu, { ...AGENCY_ENV, HW_AUTH_URL: context.emu.url }));

    expect([propWins.code, profileWins.code, environmentAlone.code]).toEqual([EXIT_CODES.ok, EXIT_CODES.ok, EXIT_CODES.ok]);
    expect(profileOverEnvironment.code).toBe(EXIT_CODES.authFailed);
    expect(profileOverEnvironment.stderr).toContain(`assume agency "${UNTRUSTED_AGENCY}" of account "${DEMO_AGENCY.domainName}" (the KooCLI profile "untrusted" in`);
  });

  it('on metadata credentials', async () => {
    const run = await runHandler(['associate'], fromMetadata({ ...AGENCY_ENV, HW_AUTH_URL: context.emu.url }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['metadata PUT 200', 'metadata GET 200', ...assumed]);
  });

  it('refused (403): one line naming the agency, its account and the base credentials; exit 4; nothing sent to ECS', async () => {
    const run = await runHandler(['associate'], envFor(context.emu, {
      FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: UNTRUSTED_AGENCY,
      FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName,
      HW_AUTH_URL: context.emu.url,
    }));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(lines(run)).toHaveLength(1);
    const [line] = lines(run);
    expect(line).toContain(`assume agency "${UNTRUSTED_AGENCY}" of account "${DEMO_AGENCY.domainName}" (FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME) failed: HTTP 403 IAM.0003`);
    expect(line).toContain(`(request id ${context.emu.requests()[0].requestId})`);
    expect(line).toContain(`IAM refused to let the base credentials (HW_ACCESS_KEY, HW_SECRET_KEY) assume agency "${UNTRUSTED_AGENCY}"`);
    expect(traffic(context.emu)).toEqual(['iam POST 403']);
  });

  it('expiring during the retries: assumed again', async () => {
    context.emu.setTemporaryCredentialTtl(2_000);
    context.emu.addFaults([{ method: 'POST', path: '/association', status: 503, headers: { 'Retry-After': '2' } }]);
    const run = await runHandler(['associate'], envFor(context.emu, { ...AGENCY_PROP, HW_AUTH_URL: context.emu.url, FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '500' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['iam POST 201', 'ecs POST 503', 'iam POST 201', 'ecs POST 204']);
  });

  it("with the emulator's endpoint and no HW_AUTH_URL: exit 2 before any request, saying to set it", async () => {
    const run = await runHandler(['associate'], envFor(context.emu, AGENCY_PROP));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toEqual([expect.stringContaining(`cannot assume agency "${DEMO_AGENCY.agencyName}" of account "${DEMO_AGENCY.domainName}" `
      + `(FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME): FPGA_ASSOC_ENDPOINT (${context.emu.url}) is not a Huawei Cloud ECS endpoint`)]);
    expect(run.stderr).toContain('set HW_AUTH_URL');
    expect(context.emu.requests()).toEqual([]);
  });

  it.each([
    ['no account', { HW_ASSUME_ROLE_AGENCY_NAME: 'a' }, 'HW_ASSUME_ROLE_AGENCY_NAME needs HW_ASSUME_ROLE_DOMAIN_NAME or HW_ASSUME_ROLE_DOMAIN_ID'],
    ['a duration IAM refuses', { ...AGENCY_ENV, HW_ASSUME_ROLE_DURATION: '60' }, 'invalid HW_ASSUME_ROLE_DURATION "60": expected a whole number of seconds from 900 to 86400'],
    ['an agency name IAM cannot have', { ...AGENCY_PROP, FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: 'a/b' }, 'invalid FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME "a/b"'],
  ])('%s: exit 2, nothing sent', async (_, overrides, message) => {
    const run = await runHandler(['associate'], envFor(context.emu, { ...overrides, HW_AUTH_URL: context.emu.url }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain(message);
    expect(context.emu.requests()).toEqual([]);
  });
});

itNeverPrintsCredentials([
  SSO.accessKey, SSO.secretKey, SSO.securityToken, WRONG.HW_ACCESS_KEY, WRONG.HW_SECRET_KEY, ENCRYPTED.accessKeyId, ENCRYPTED.secretAccessKey,
]);
