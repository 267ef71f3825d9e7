import { at, keysOnly, runCli } from './cli';
import LIST_SCHEMA from './list-output.schema.json';
import { EXIT_CODES } from '../../src/contract';
import { DEMO_PROJECT_ID, DEMO_REGION } from '../../src/emulator/server';
import { ecsRequests, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, traffic, useEmulator } from '../handler/harness';
// eslint-disable-next-line import/no-extraneous-dependencies, @typescript-eslint/no-require-imports -- the JSON Schema validator eslint already brings
const Ajv = require('ajv');

/**
 * `list`: an FPGA image's ECS images, an ECS image's FPGA images, a pair, and the walk of a whole
 * project (every page of its FPGA images, then the associations of the protected ones only).
 */

const context = useEmulator();

const fpgaId = (n: number) => n.toString(16).padStart(32, 'f');
const imageId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
/** Sorts before IMAGE_ID: ECS images are listed in order. */
const OTHER_IMAGE = imageId(2);

const validate = new Ajv({ allErrors: true }).compile(LIST_SCHEMA);

/** stdout as the one JSON document --json prints, checked against test/cli/list-output.schema.json. */
function listed(stdout: string): any {
  const output = JSON.parse(stdout);
  if (!validate(output)) throw new Error(`list --json does not match its schema: ${JSON.stringify(validate.errors)}\n${stdout}`);
  return output;
}

/** FPGA image 1 protected by two ECS images, 2 by one, 3 by none. */
function seedSmallProject(): void {
  context.emu.addImages({ fpgaImages: [{ id: fpgaId(1), name: 'transcoder' }, { id: fpgaId(2), name: 'encoder' }, { id: fpgaId(3), name: 'spare' }] });
  context.emu.addRelations([
    { fpgaImageId: fpgaId(1), imageId: IMAGE_ID },
    { fpgaImageId: fpgaId(1), imageId: OTHER_IMAGE },
    { fpgaImageId: fpgaId(2), imageId: IMAGE_ID },
  ]);
}

it('the schema itself refuses what --json must never print', () => {
  expect(validate({ projectId: DEMO_PROJECT_ID, associations: [] })).toBe(true);
  expect(validate({ projectId: DEMO_PROJECT_ID, associations: [{ fpgaImageId: FPGA_IMAGE_ID }] })).toBe(false);
  expect(validate({ projectId: DEMO_PROJECT_ID, associations: [], secretKey: 'x' })).toBe(false);
  expect(validate({ projectId: 'ABC', associations: [{ fpgaImageId: FPGA_IMAGE_ID, imageId: 'not-a-uuid' }] })).toBe(false);
});

describe('the walk of a project (neither ID)', () => {
  it('with nothing but credentials and a region (and, for the emulator, its URL): the protected FPGA images and the ECS images protecting them', async () => {
    seedSmallProject();
    const env = keysOnly({ FPGA_ASSOC_REGION: DEMO_REGION, FPGA_ASSOC_ENDPOINT: context.emu.url, HW_AUTH_URL: `${context.emu.url}/v3` });
    const run = await runCli(['list'], env);

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout.split('\n')).toEqual([
      'FPGA IMAGE                        NAME        ECS IMAGE',
      `${fpgaId(1)}  transcoder  ${OTHER_IMAGE}`,
      `${fpgaId(1)}  transcoder  ${IMAGE_ID}`,
      `${fpgaId(2)}  encoder     ${IMAGE_ID}`,
      `3 associations in project ${DEMO_PROJECT_ID}: 2 of its 3 FPGA images protected`,
      '',
    ]);
    expect(run.stderr).toBe('');
    // The project from IAM, one page of FPGA images, then an associations query per protected image only.
    expect(traffic(context.emu)).toEqual(['iam GET 200', 'ecs GET 200', 'ecs GET 200', 'ecs GET 200']);
    expect(ecsRequests(context.emu).map((r) => r.path.replace(/^\/v1\/\w+\/cloudservers\/fpga_image/, ''))).toEqual([
      '/detail?page=1&size=100',
      `/associations?fpga_image_id=${fpgaId(1)}&page=1&size=100`,
      `/associations?fpga_image_id=${fpgaId(2)}&page=1&size=100`,
    ]);
  });

  it('--json: the pairs, with the names the walk read and how many FPGA images it listed', async () => {
    seedSmallProject();
    const run = await runCli(['list', ...at(context.emu), '--json'], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(listed(run.stdout)).toEqual({
      projectId: DEMO_PROJECT_ID,
      associations: [
        { fpgaImageId: fpgaId(1), imageId: OTHER_IMAGE, fpgaImageName: 'transcoder' },
        { fpgaImageId: fpgaId(1), imageId: IMAGE_ID, fpgaImageName: 'transcoder' },
        { fpgaImageId: fpgaId(2), imageId: IMAGE_ID, fpgaImageName: 'encoder' },
      ],
      fpgaImagesListed: 3,
    });
  });

  it('an unprotected project: says that none of its FPGA images is protected; --json has no pairs', async () => {
    context.emu.addImages({ fpgaImages: [1, 2, 3].map((n) => ({ id: fpgaId(n) })) });
    const run = await runCli(['list', ...at(context.emu)], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout).toBe(`no FPGA image in project ${DEMO_PROJECT_ID} is protected: none of its 3 FPGA images is associated with an ECS image\n`);
    expect(ecsRequests(context.emu)).toHaveLength(1);
    const json = await runCli(['list', ...at(context.emu), '--json'], keysOnly());
    expect(listed(json.stdout)).toEqual({ projectId: DEMO_PROJECT_ID, associations: [], fpgaImagesListed: 3 });
  });

  it('a project without FPGA images says so', async () => {
    const run = await runCli(['list', ...at(context.emu)], keysOnly());

    expect(run.stdout).toBe(`project ${DEMO_PROJECT_ID} has no FPGA image\n`);
  });

  it('more than one page of FPGA images: every page is read, with progress on stderr, and the protected ones on each are found', async () => {
    context.emu.addImages({ fpgaImages: Array.from({ length: 230 }, (_, i) => ({ id: fpgaId(i + 1) })) });
    context.emu.addRelations([{ fpgaImageId: fpgaId(7), imageId: IMAGE_ID }, { fpgaImageId: fpgaId(201), imageId: OTHER_IMAGE }]);
    const run = await runCli(['list', ...at(context.emu), '--json'], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(listed(run.stdout)).toEqual({
      projectId: DEMO_PROJECT_ID,
      associations: [
        { fpgaImageId: fpgaId(7), imageId: IMAGE_ID, fpgaImageName: `emulated-${fpgaId(7).slice(0, 8)}` },
        { fpgaImageId: fpgaId(201), imageId: OTHER_IMAGE, fpgaImageName: `emulated-${fpgaId(201).slice(0, 8)}` },
      ],
      fpgaImagesListed: 230,
    });
    expect(lines(run)).toEqual([
      'fpga-image-association: listed 100 of 230 FPGA images',
      'fpga-image-association: listed 200 of 230 FPGA images',
      'fpga-image-association: listed 230 of 230 FPGA images',
      'fpga-image-association: 2 of them protected: querying their associations',
    ]);
    expect(ecsRequests(context.emu).map((r) => r.path.split('?')[1]).slice(0, 3)).toEqual(['page=1&size=100', 'page=2&size=100', 'page=3&size=100']);
    expect(ecsRequests(context.emu)).toHaveLength(5);
  });

  it('exactly one full page: the count says it was the last, so no empty page is asked for', async () => {
    context.emu.addImages({ fpgaImages: Array.from({ length: 100 }, (_, i) => ({ id: fpgaId(i + 1) })) });
    const run = await runCli(['list', ...at(context.emu), '--json'], keysOnly());

    expect(listed(run.stdout).fpgaImagesListed).toBe(100);
    expect(ecsRequests(context.emu).map((r) => r.path.split('?')[1])).toEqual(['page=1&size=100']);
    expect(run.stderr).toBe('');
  });

  it('a protected FPGA image whose associations the query does not show: said on stderr, not hidden', async () => {
    seedSmallProject();
    context.emu.addFaults([{ path: `fpga_image_id=${fpgaId(2)}`, status: 200, body: { associations: [] } }]);
    const run = await runCli(['list', ...at(context.emu), '--json'], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(listed(run.stdout).associations.map((pair: any) => pair.fpgaImageId)).toEqual([fpgaId(1), fpgaId(1)]);
    expect(lines(run)).toEqual([
      `fpga-image-association: FPGA image ${fpgaId(2)} is protected, but the associations query names no ECS image for it in project ${DEMO_PROJECT_ID}`,
    ]);
  });

  it("without the permission to list FPGA images: the handler's one line naming it, exit 4", async () => {
    context.emu.addFaults([{ path: '/detail', status: 403, body: { error_code: 'APIGW.0302', error_msg: 'The IAM user is not authorized to access the API.' } }]);
    const run = await runCli(['list', ...at(context.emu)], keysOnly());

    expect(run.code).toBe(EXIT_CODES.authFailed);
    expect(run.stdout).toBe('');
    expect(lines(run)).toEqual([expect.stringMatching(
      new RegExp(`^fpga-image-association: list the FPGA images of project ${DEMO_PROJECT_ID} failed: HTTP 403 APIGW.0302: .*grant their user the IAM action ecs:cloudServerFpgaImages:list`),
    )]);
  });
});

describe('by ID', () => {
  beforeEach(seedSmallProject);

  it('--fpga-image-id: the ECS images it is associated with', async () => {
    const run = await runCli(['list', ...at(context.emu), '--fpga-image-id', fpgaId(1)], keysOnly());

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.stdout.split('\n')).toEqual([
      'FPGA IMAGE                        ECS IMAGE',
      `${fpgaId(1)}  ${OTHER_IMAGE}`,
      `${fpgaId(1)}  ${IMAGE_ID}`,
      `2 associations in project ${DEMO_PROJECT_ID}`,
      '',
    ]);
    const unprotected = await runCli(['list', ...at(context.emu), '--fpga-image-id', fpgaId(3)], keysOnly());
    expect(unprotected.stdout).toBe(`FPGA image ${fpgaId(3)} is associated with no ECS image in project ${DEMO_PROJECT_ID}: it is not protected\n`);
  });

  it('--image-id: the FPGA images associated with it', async () => {
    const run = await runCli(['list', ...at(context.emu), '--image-id', IMAGE_ID, '--json'], keysOnly());

    expect(listed(run.stdout)).toEqual({
      projectId: DEMO_PROJECT_ID,
      associations: [{ fpgaImageId: fpgaId(1), imageId: IMAGE_ID }, { fpgaImageId: fpgaId(2), imageId: IMAGE_ID }],
    });
    const none = await runCli(['list', ...at(context.emu), '--image-id', imageId(9)], keysOnly());
    expect(none.stdout).toBe(`ECS image ${imageId(9)} is associated with no FPGA image in project ${DEMO_PROJECT_ID}\n`);
  });

  it('both: whether the pair is associated', async () => {
    const yes = await runCli(['list', ...at(context.emu), '--fpga-image-id', fpgaId(2), '--image-id', IMAGE_ID, '--json'], keysOnly());
    const no = await runCli(['list', ...at(context.emu), '--fpga-image-id', fpgaId(2), '--image-id', OTHER_IMAGE, '--json'], keysOnly());
    const noTable = await runCli(['list', ...at(context.emu), '--fpga-image-id', fpgaId(2), '--image-id', OTHER_IMAGE], keysOnly());

    expect(listed(yes.stdout).associations).toEqual([{ fpgaImageId: fpgaId(2), imageId: IMAGE_ID }]);
    expect(listed(no.stdout).associations).toEqual([]);
    expect(noTable.stdout).toBe(`FPGA image ${fpgaId(2)} is not associated with ECS image ${OTHER_IMAGE} in project ${DEMO_PROJECT_ID}\n`);
  });

  it('the ID flags win over FPGA_ASSOC_FPGA_IMAGE_ID and FPGA_ASSOC_IMAGE_ID, which the CLI does not read', async () => {
    const run = await runCli(['list', ...at(context.emu), '--json'], keysOnly({ FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID, FPGA_ASSOC_IMAGE_ID: 'not-an-id' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(listed(run.stdout).fpgaImagesListed).toBe(3);
  });
});

itNeverPrintsCredentials();
