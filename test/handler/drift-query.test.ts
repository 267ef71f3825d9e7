import { ACCESS_KEY, Env, envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, runHandler, SECRET_KEY, seen, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_PROJECT_ID } from '../../src/emulator/server';

/**
 * `drift-query`, the drift check's external data source: the pair's inputs arrive as a JSON object on
 * stdin, the answer leaves as a JSON object of strings on stdout, and every failure is an answer
 * (exit 0), so that the check warns instead of failing the plan.
 */

const context = useEmulator();

/** The query the drift check's data source sends for the pair, against the emulator. */
function queryFor(overrides: Record<string, string> = {}): string {
  return JSON.stringify({
    FPGA_ASSOC_PROJECT_ID: DEMO_PROJECT_ID,
    FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID,
    FPGA_ASSOC_IMAGE_ID: IMAGE_ID,
    FPGA_ASSOC_ENDPOINT: context.emu.url,
    null_resource_id: '4411902214468051397',
    ...overrides,
  });
}

/** Only what Terraform's environment holds: credentials and tuning, none of the pair's inputs. */
function terraformEnv(overrides: Env = {}): Env {
  return envFor(context.emu, {
    FPGA_ASSOC_PROJECT_ID: undefined,
    FPGA_ASSOC_FPGA_IMAGE_ID: undefined,
    FPGA_ASSOC_IMAGE_ID: undefined,
    FPGA_ASSOC_ENDPOINT: undefined,
    ...overrides,
  });
}

async function driftQuery(query: string, env: Env = terraformEnv()) {
  const run = await runHandler(['drift-query'], env, query);
  expect(run.code).toBe(EXIT_CODES.ok);
  return { run, answer: JSON.parse(run.stdout) as Record<string, string> };
}

it('answers associated "true" with one query of the pair, as a JSON object of strings', async () => {
  const { emu } = context;
  emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
  const { run, answer } = await driftQuery(queryFor());

  expect(answer).toEqual({ associated: 'true', problem: '' });
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  expect(seen(emu)).toEqual(['GET 200']);
  expect(emu.requests()[0].path).toContain(`fpga_image_id=${FPGA_IMAGE_ID}&image_id=${IMAGE_ID}`);
});

it('answers associated "false" when the relation is gone', async () => {
  const { emu } = context;
  emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11' }]);
  const { answer } = await driftQuery(queryFor());

  expect(answer).toEqual({ associated: 'false', problem: '' });
});

it("takes the pair from the query, over Terraform's environment, and the credentials only from the environment", async () => {
  const { emu } = context;
  emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
  const stale = terraformEnv({ FPGA_ASSOC_IMAGE_ID: '00000000-0000-4000-8000-000000000000' });
  const { answer } = await driftQuery(queryFor({ HW_ACCESS_KEY: 'QUERYACCESSKEY000000', HW_SECRET_KEY: 'query-secret' }), stale);

  expect(answer).toEqual({ associated: 'true', problem: '' });
  expect(emu.requests()[0].path).toContain(`image_id=${IMAGE_ID}`);
});

describe('every failure is an answer: associated "unknown", the reason, exit 0', () => {
  it('a bad ID names the input, the value and the rule, and sends nothing', async () => {
    const { emu } = context;
    const { answer } = await driftQuery(queryFor({ FPGA_ASSOC_IMAGE_ID: 'NOT-A-UUID' }));

    expect(answer.associated).toBe('unknown');
    expect(answer.problem).toContain('invalid FPGA_ASSOC_IMAGE_ID "NOT-A-UUID": expected a lowercase UUID');
    expect(answer.problem).toContain('Nothing was sent to the API');
    expect(emu.requests()).toEqual([]);
  });

  it('missing credentials', async () => {
    const { answer } = await driftQuery(queryFor(), terraformEnv({ HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined }));

    expect(answer.associated).toBe('unknown');
    expect(answer.problem).toContain('no Huawei Cloud credentials');
  });

  it('an unreachable API, within the time limit the query carries', async () => {
    const { run, answer } = await driftQuery(
      queryFor({ FPGA_ASSOC_ENDPOINT: 'http://127.0.0.1:9', FPGA_ASSOC_TOTAL_TIMEOUT_MS: '1500', FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '500' }),
    );

    expect(answer.associated).toBe('unknown');
    expect(answer.problem).toMatch(/query the association of FPGA image \w+ with ECS image [\w-]+ failed/);
    expect(run.ms).toBeLessThan(5_000);
  });

  it('the API refusing the query (403)', async () => {
    const { answer } = await driftQuery(queryFor(), terraformEnv({ HW_SECRET_KEY: 'a-secret-key-that-does-not-match' }));

    expect(answer.associated).toBe('unknown');
    expect(answer.problem).toMatch(/HTTP 40[13]/);
  });

  it.each([
    ['not JSON', 'FPGA_ASSOC_IMAGE_ID=x'],
    ['a JSON array', '[]'],
    ['nothing', ''],
  ])('stdin that is %s', async (_, query) => {
    const { answer } = await driftQuery(query);

    expect(answer.associated).toBe('unknown');
    expect(answer.problem).toContain('the query on stdin is not a JSON object');
  });
});

it('status and the other operations still ignore stdin and answer as before', async () => {
  const { emu } = context;
  emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
  const run = await runHandler(['status'], envFor(emu));

  expect(run.code).toBe(EXIT_CODES.ok);
  expect(JSON.parse(run.stdout)).toEqual({ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, associated: true });
});

itNeverPrintsCredentials([ACCESS_KEY, SECRET_KEY, 'QUERYACCESSKEY000000', 'a-secret-key-that-does-not-match']);
