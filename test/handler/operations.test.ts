import { envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, seen, useEmulator } from './harness';
import { EXIT_CODES } from '../../src/contract';
import { FpgaApiEmulator } from '../../src/emulator/server';

/** associate, disassociate and status against the emulator's rules: happy paths and idempotency. */

const context = useEmulator();

const OTHER_PROJECT = 'ffffffffffffffffffffffffffffffff';

/** Ten other FPGA images, the most one ECS image can have. */
const TEN_OTHERS = Array.from({ length: 10 }, (_, i) => ({ fpgaImageId: `${i}`.padStart(32, 'a'), imageId: IMAGE_ID }));

describe('associate', () => {
  it('associates with exactly one request and says so on one stderr line', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 204']);
    expect(emu.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const requestId = emu.requests()[0].requestId;
    expect(lines(run)).toEqual([
      `fpga-image-association: associated FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} (204, request id ${requestId})`,
    ]);
    expect(run.stdout).toBe('');
  });

  it('succeeds when the association already exists, after checking that it does', async () => {
    const { emu } = context;
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['POST 400', 'GET 200']);
    expect(emu.requests()[1].path).toBe(
      `/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image/associations?fpga_image_id=${FPGA_IMAGE_ID}&image_id=${IMAGE_ID}`,
    );
    expect(run.stderr).toContain('was already associated');
  });

  it('fails with exit 3 and the 10-image limit when the ECS image is full', async () => {
    const { emu } = context;
    emu.addRelations(TEN_OTHERS);
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(seen(emu)).toEqual(['POST 400', 'GET 200']);
    expect(lines(run)).toHaveLength(1);
    const [line] = lines(run);
    expect(line).toContain(`associate FPGA image ${FPGA_IMAGE_ID} with ECS image ${IMAGE_ID} failed: HTTP 400 Ecs.0000`);
    expect(line).toContain('reach the max limit');
    expect(line).toContain(`request id ${emu.requests()[0].requestId}`);
    expect(line).toContain(`ECS image ${IMAGE_ID} can take no more FPGA images (at most 10 per image, and the image must be private)`);
    expect(emu.relations()).toHaveLength(10);
  });

  it('fails with exit 3 and says the ECS image must be private when it is shared', async () => {
    const { emu } = context;
    emu.addImages({ images: [{ id: IMAGE_ID, visibility: 'shared' }] });
    const run = await runHandler(['associate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain('type [shared] is not private');
    expect(run.stderr).toContain("only private images can be associated: use a private image, or cancel the image's sharing");
  });
});

describe('disassociate', () => {
  it('disassociates with exactly one DELETE that carries the image in its body', async () => {
    const { emu } = context;
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    // The emulator reads the ECS image ID from the DELETE body: without it the request would be a 400.
    expect(seen(emu)).toEqual(['DELETE 204']);
    expect(emu.relations()).toEqual([]);
    expect(lines(run)).toEqual([
      `fpga-image-association: disassociated FPGA image ${FPGA_IMAGE_ID} from ECS image ${IMAGE_ID} (204, request id ${emu.requests()[0].requestId})`,
    ]);
  });

  it('succeeds when the association is already gone, after checking that it is', async () => {
    const { emu } = context;
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(emu)).toEqual(['DELETE 404', 'GET 200']);
    expect(run.stderr).toContain('already gone');
  });

  it('fails with exit 3 and says to cancel the sharing when the ECS image is shared', async () => {
    const { emu } = context;
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    emu.addImages({ images: [{ id: IMAGE_ID, visibility: 'shared' }] });
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(seen(emu)).toEqual(['DELETE 400', 'GET 200']);
    expect(lines(run)).toHaveLength(1);
    const [line] = lines(run);
    expect(line).toMatch(/^fpga-image-association: disassociate FPGA image \w+ from ECS image [\w-]+ failed: HTTP 400 Ecs\.0000: /);
    expect(line).toContain('is not private');
    expect(line).toContain("cancel the image's sharing first, then run destroy again");
    expect(emu.relations()).toHaveLength(1);
  });
});

describe('when the FPGA image itself is gone (an emulator that knows only registered images)', () => {
  let strict: FpgaApiEmulator;
  beforeAll(async () => {
    strict = await FpgaApiEmulator.start({ strictImages: true });
    strict.addImages({ images: [{ id: IMAGE_ID }] });
  });
  afterAll(() => strict.stop());

  it('disassociate succeeds: an FPGA image that does not exist has no associations', async () => {
    const run = await runHandler(['disassociate'], envFor(strict));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(seen(strict)).toEqual(['DELETE 404', 'GET 404']);
    expect(run.stderr).toContain('already gone');
  });

  it('associate fails with exit 3 and says what to check', async () => {
    const run = await runHandler(['associate'], envFor(strict));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(run.stderr).toContain(`HTTP 404 Ecs.0000: tenant [0123456789abcdef0123456789abcdef] fpga image [${FPGA_IMAGE_ID}] doesn't exist`);
    expect(run.stderr).toContain(`Check that FPGA image ${FPGA_IMAGE_ID} and ECS image ${IMAGE_ID} exist in project`);
  });
});

it('a gateway 404 (no such API: a wrong endpoint) is not taken for "already gone"', async () => {
  const { emu } = context;
  const notFound = { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' };
  emu.addFaults([{ action: 'respond', status: 404, body: notFound, times: 2 }]);
  const run = await runHandler(['disassociate'], envFor(emu));

  expect(run.code).toBe(EXIT_CODES.rejected);
  expect(seen(emu)).toEqual(['DELETE 404', 'GET 404']);
  expect(run.stderr).toContain('failed: HTTP 404 APIGW.0101: The API does not exist');
  expect(run.stderr).toContain('The endpoint does not serve the ECS FPGA-image API: check FPGA_ASSOC_ENDPOINT or FPGA_ASSOC_REGION');
});

describe('refusals name the cause and what to do', () => {
  it('only the FPGA image\'s owner may disassociate it', async () => {
    const { emu } = context;
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    emu.addFaults([{
      method: 'DELETE',
      action: 'respond',
      status: 400,
      body: { error: { code: 'Ecs.0000', message: `tenant [${OTHER_PROJECT}] is not the owner of fpga image [${FPGA_IMAGE_ID}]` } },
    }]);
    const run = await runHandler(['disassociate'], envFor(emu));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(seen(emu)).toEqual(['DELETE 400', 'GET 200']);
    expect(run.stderr).toContain(`is not the owner of fpga image [${FPGA_IMAGE_ID}]`);
    expect(run.stderr).toContain(`Only the account that owns FPGA image ${FPGA_IMAGE_ID} can change its associations: use that account's credentials, then run destroy again`);
  });

  it('a project ID the credentials do not belong to is not mistaken for the 10-image limit', async () => {
    const { emu } = context;
    const run = await runHandler(['associate'], envFor(emu, { FPGA_ASSOC_PROJECT_ID: OTHER_PROJECT }));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain('HTTP 400 Common.0018: The project ID in the URL is different from that in the token.');
    expect(run.stderr).toContain('Check FPGA_ASSOC_PROJECT_ID: it must be the project');
    expect(run.stderr).not.toContain('at most 10');
  });

  it('a disassociate in a project the credentials do not belong to fails, never taken as already gone', async () => {
    const { emu } = context;
    const run = await runHandler(['disassociate'], envFor(emu, { FPGA_ASSOC_PROJECT_ID: OTHER_PROJECT }));

    expect(run.code).toBe(EXIT_CODES.rejected);
    expect(seen(emu)).toEqual(['DELETE 400', 'GET 400']);
    expect(run.stderr).toContain(`The credentials in use cannot act in project ${OTHER_PROJECT}: if the association was made, it was with that project's credentials`);
    expect(run.stderr).toContain('`terraform state rm`');
  });
});

describe('status', () => {
  it('prints one JSON line on stdout', async () => {
    const { emu } = context;
    const before = await runHandler(['status'], envFor(emu));
    emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const after = await runHandler(['status'], envFor(emu));

    expect([before.code, after.code]).toEqual([EXIT_CODES.ok, EXIT_CODES.ok]);
    expect(before.stdout).toBe(`{"fpgaImageId":"${FPGA_IMAGE_ID}","imageId":"${IMAGE_ID}","associated":false}\n`);
    expect(JSON.parse(after.stdout)).toEqual({ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, associated: true });
    expect(seen(emu)).toEqual(['GET 200', 'GET 200']);
  });

  it('runs a whole lifecycle: associate, status, disassociate, status', async () => {
    const { emu } = context;
    const env = envFor(emu);
    expect((await runHandler(['associate'], env)).code).toBe(EXIT_CODES.ok);
    expect(JSON.parse((await runHandler(['status'], env)).stdout).associated).toBe(true);
    expect((await runHandler(['disassociate'], env)).code).toBe(EXIT_CODES.ok);
    expect(JSON.parse((await runHandler(['status'], env)).stdout).associated).toBe(false);
  });
});

itNeverPrintsCredentials();
