import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACCESS_KEY, ecsRequests, Env, envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, SECRET_KEY, traffic, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_AGENCY, DEMO_PROJECT_ID, DEMO_REGION } from '../../src/emulator/server';

/**
 * The project, when the association names none: HW_PROJECT_ID, else the profile's, else IAM's one
 * project of the region, looked up once per machine and cached in the private per-user directory.
 */

const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';

const context = useEmulator();

/** A fresh temp dir per test, as each test's private directory (TMPDIR): no cache is shared between tests. */
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'fpga-project-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** No project ID in the association: the region's, from the emulator's IAM. */
function lookupEnv(overrides: Env = {}): Env {
  return envFor(context.emu, { FPGA_ASSOC_PROJECT_ID: '', FPGA_ASSOC_REGION: DEMO_REGION, HW_AUTH_URL: context.emu.url, TMPDIR: scratch, ...overrides });
}

/** The cache entries in this test's private directory. */
function cacheFiles(): string[] {
  const [directory] = readdirSync(scratch).filter((name) => name.startsWith('fpga-image-association-'));
  if (directory === undefined) return [];
  return readdirSync(path.join(scratch, directory)).filter((name) => name.startsWith('project-')).map((name) => path.join(scratch, directory, name));
}

function iamLookups(): number {
  return context.emu.requests().filter((r) => r.service === 'iam' && r.method === 'GET').length;
}

describe('a project ID from where Terraform runs, never asked of IAM', () => {
  it.each([['HW_PROJECT_ID'], ['HUAWEICLOUD_SDK_PROJECT_ID']])('%s', async (name) => {
    const run = await runHandler(['associate'], lookupEnv({ [name]: DEMO_PROJECT_ID }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['ecs POST 204']);
  });

  it("the association's projectId wins over HW_PROJECT_ID", async () => {
    const run = await runHandler(['associate'], lookupEnv({ FPGA_ASSOC_PROJECT_ID: DEMO_PROJECT_ID, HW_PROJECT_ID: OTHER_PROJECT }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['ecs POST 204']);
  });

  it("the profile's projectId, after HW_PROJECT_ID", async () => {
    const file = path.join(scratch, 'config.json');
    writeFileSync(file, JSON.stringify({
      current: 'p',
      profiles: [{ name: 'p', mode: 'AKSK', accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, projectId: DEMO_PROJECT_ID }],
    }));
    const fromProfile = await runHandler(['associate'], lookupEnv({ HW_SHARED_CONFIG_FILE: file }));
    const environmentFirst = await runHandler(['associate'], lookupEnv({ HW_SHARED_CONFIG_FILE: file, HW_PROJECT_ID: OTHER_PROJECT }));

    expect(fromProfile.code).toBe(EXIT_CODES.ok);
    expect(environmentFirst.code).toBe(EXIT_CODES.rejected);
    expect(environmentFirst.stderr).toContain('Check HW_PROJECT_ID: it must be the project');
    expect(iamLookups()).toBe(0);
  });
});

describe("IAM's project of the region", () => {
  it('one signed lookup, then the cache: it holds the project ID and nothing else', async () => {
    const first = await runHandler(['associate'], lookupEnv());
    const second = await runHandler(['status'], lookupEnv());

    expect([first.code, second.code]).toEqual([EXIT_CODES.ok, EXIT_CODES.ok]);
    expect(traffic(context.emu)).toEqual(['iam GET 200', 'ecs POST 204', 'ecs GET 200']);
    expect(context.emu.requests()[0].path).toBe(`/v3/projects?name=${DEMO_REGION}`);
    const [entry, ...more] = cacheFiles();
    expect(more).toEqual([]);
    expect(JSON.parse(readFileSync(entry, 'utf8'))).toEqual({ projectId: DEMO_PROJECT_ID });
  });

  it('HW_AUTH_URL as the provider takes it, with /v3: its origin', async () => {
    const run = await runHandler(['associate'], lookupEnv({ HW_AUTH_URL: `${context.emu.url}/v3` }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['iam GET 200', 'ecs POST 204']);
  });

  it('disassociate, status, list and drift-query find it too', async () => {
    context.emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const list = await runHandler(['list'], lookupEnv({ FPGA_ASSOC_IMAGE_ID: undefined }));
    const status = await runHandler(['status'], lookupEnv());
    const query = JSON.stringify({
      FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID, FPGA_ASSOC_IMAGE_ID: IMAGE_ID, FPGA_ASSOC_ENDPOINT: context.emu.url, FPGA_ASSOC_REGION: DEMO_REGION,
    });
    const drift = await runHandler(['drift-query'], lookupEnv({ FPGA_ASSOC_FPGA_IMAGE_ID: undefined, FPGA_ASSOC_IMAGE_ID: undefined }), query);
    const disassociate = await runHandler(['disassociate'], lookupEnv());

    expect([list.code, status.code, drift.code, disassociate.code]).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(list.stdout)).toEqual({ fpgaImageId: FPGA_IMAGE_ID, imageIds: [IMAGE_ID] });
    expect(JSON.parse(status.stdout)).toMatchObject({ associated: true });
    expect(JSON.parse(drift.stdout)).toEqual({ associated: 'true', problem: '' });
    expect(context.emu.relations()).toEqual([]);
    expect(iamLookups()).toBe(1);
  });

  it('N handlers at once (an apply): one lookup', async () => {
    const imageIds = Array.from({ length: 8 }, (_, i) => `18efee75-e058-4c52-a49c-9e3ba4d1c8${String(i).padStart(2, '0')}`);
    const runs = await Promise.all(imageIds.map((imageId) => runHandler(['associate'], lookupEnv({ FPGA_ASSOC_IMAGE_ID: imageId }))));

    expect(runs.map((run) => run.code)).toEqual(imageIds.map(() => EXIT_CODES.ok));
    expect(iamLookups()).toBe(1);
    expect(ecsRequests(context.emu).map((r) => r.status)).toEqual(imageIds.map(() => 204));
  });

  it('with an agency: asked with the assumed credentials, whose account it is', async () => {
    const run = await runHandler(['associate'], lookupEnv({
      FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName,
      FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName,
    }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['iam POST 201', 'iam GET 200', 'ecs POST 204']);
  });

  it('none: a wrong region or credentials; exit 2, nothing sent to ECS', async () => {
    context.emu.setProjects([]);
    const run = await runHandler(['associate'], lookupEnv());

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toEqual([expect.stringMatching(
      new RegExp(`^fpga-image-association: look up the project of region ${DEMO_REGION} in IAM failed: IAM has no project named "${DEMO_REGION}" for these credentials \\(request id [\\w-]+\\)\\. `
        + 'The region \\(FPGA_ASSOC_REGION\\) is wrong, or the credentials belong to another account than intended'),
    )]);
    expect(ecsRequests(context.emu)).toEqual([]);
    expect(cacheFiles()).toEqual([]);
  });

  it('several: names their IDs, never picks one; exit 2, nothing sent to ECS', async () => {
    context.emu.setProjects([{ id: DEMO_PROJECT_ID, name: DEMO_REGION }, { id: OTHER_PROJECT, name: DEMO_REGION }]);
    const run = await runHandler(['associate'], lookupEnv());

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain(`IAM has 2 projects named "${DEMO_REGION}": ${DEMO_PROJECT_ID}, ${OTHER_PROJECT}`);
    expect(run.stderr).toContain('set HW_PROJECT_ID');
    expect(ecsRequests(context.emu)).toEqual([]);
  });

  it('IAM refuses the credentials: exit 4, never retried', async () => {
    context.emu.addFaults([{ method: 'GET', path: '/v3/projects', status: 403, body: { error: { code: 'IAM.0002', message: 'no permission', title: 'Forbidden' } } }]);
    const run = await runHandler(['associate'], lookupEnv({ FPGA_ASSOC_MAX_ATTEMPTS: '5' }));

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(run.stderr).toContain('look up the project of region cn-north-1 in IAM failed: HTTP 403 IAM.0002: no permission');
    expect(run.stderr).toContain('iam:projects:listProjects');
    expect(traffic(context.emu)).toEqual(['iam GET 403']);
  });

  it('IAM unavailable for a moment: retried as the ECS API is', async () => {
    context.emu.addFaults([{ method: 'GET', path: '/v3/projects', status: 503, times: 2 }]);
    const run = await runHandler(['associate'], lookupEnv());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(traffic(context.emu)).toEqual(['iam GET 503', 'iam GET 503', 'iam GET 200', 'ecs POST 204']);
  });
});

describe('a cached project the ECS API refuses', () => {
  /** Caches IAM's answer with a run, then makes the entry say `projectId`, as after the project was replaced. */
  async function cached(projectId: string): Promise<string> {
    expect((await runHandler(['status'], lookupEnv())).code).toBe(EXIT_CODES.ok);
    const [entry] = cacheFiles();
    writeFileSync(entry, JSON.stringify({ projectId }));
    context.emu.reset();
    return entry;
  }

  it('is dropped and looked up again; the run goes on with the fresh answer', async () => {
    const entry = await cached(OTHER_PROJECT);
    const run = await runHandler(['associate'], lookupEnv());

    expect(run.code).toBe(EXIT_CODES.ok);
    // The 400 is ambiguous to associate, which queries the association: refused too.
    expect(traffic(context.emu)).toEqual(['ecs POST 400', 'ecs GET 400', 'iam GET 200', 'ecs POST 204']);
    expect(JSON.parse(readFileSync(entry, 'utf8'))).toEqual({ projectId: DEMO_PROJECT_ID });
  });

  it('that IAM still names: the refusal stands (exit 3), and nothing is kept', async () => {
    await cached(OTHER_PROJECT);
    context.emu.setProjects([{ id: OTHER_PROJECT, name: DEMO_REGION }]);
    const run = await runHandler(['associate'], lookupEnv());

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(traffic(context.emu)).toEqual(['ecs POST 400', 'ecs GET 400', 'iam GET 200']);
    expect(run.stderr).toContain('HTTP 400 Common.0018');
    expect(run.stderr).toContain(`Check the project IAM names for region ${DEMO_REGION}`);
    expect(cacheFiles()).toEqual([]);
  });

  it('just asked of IAM: dropped, not asked again', async () => {
    context.emu.setProjects([{ id: OTHER_PROJECT, name: DEMO_REGION }]);
    const run = await runHandler(['disassociate'], lookupEnv());

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(traffic(context.emu)).toEqual(['iam GET 200', 'ecs DELETE 400', 'ecs GET 400']);
    expect(cacheFiles()).toEqual([]);
  });
});

itNeverPrintsCredentials();
