import { answer, signedFetch } from './signed-fetch';
import { DEMO_PROJECT_ID, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath, associationsQueryPath } from '../../src/rules';

const FPGA = '4010a32b5f231f04015f24259efd0429';
const IMAGE = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const SHARED_IMAGE = '5633dfaf-7b2e-4c14-9fa8-62021d396f7b';
const OTHER_PROJECT = 'ffffffffffffffffffffffffffffffff';

/** The nth well-formed FPGA image ID. */
const fpgaId = (n: number) => n.toString(16).padStart(32, '0');
/** The nth well-formed ECS image ID. */
const imageId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

let emulator: FpgaApiEmulator;

beforeAll(async () => {
  emulator = await FpgaApiEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function relate(method: 'POST' | 'DELETE', fpgaImageId: string, image: string | object = IMAGE, projectId = DEMO_PROJECT_ID) {
  const body = typeof image === 'string' ? { image: { id: image } } : image;
  return signedFetch(emulator.url, { method, path: associationPath(projectId, fpgaImageId), body });
}

function get(path: string, query: Record<string, string> = {}) {
  const search = new URLSearchParams(query).toString();
  return signedFetch(emulator.url, { method: 'GET', path: search ? `${path}?${search}` : path });
}

const listAssociations = (query: Record<string, string>) => get(associationsQueryPath(DEMO_PROJECT_ID), query);
const listFpgaImages = (query: Record<string, string> = {}) => get(`/v1/${DEMO_PROJECT_ID}/cloudservers/fpga_image/detail`, query);

function expectEcsError(result: { status: number; json: any }, status: number, code: string, message: string | RegExp) {
  expect(result.status).toBe(status);
  expect(result.json).toEqual({ error: { code, message: expect.any(String) } });
  expect(result.json.error.message).toMatch(message);
}

describe('associate and disassociate', () => {
  test('POST then DELETE: 204 with no body, and the relation comes and goes', async () => {
    const created = await relate('POST', FPGA);
    expect(created.status).toBe(204);
    expect(created.text).toBe('');
    expect(emulator.relations()).toEqual([{ fpgaImageId: FPGA, imageId: IMAGE }]);

    const removed = await relate('DELETE', FPGA);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect(emulator.relations()).toEqual([]);
  });

  test('the same relation twice: 400 with the documented wording', async () => {
    await relate('POST', FPGA);
    expectEcsError(
      await relate('POST', FPGA),
      400,
      'Ecs.0000',
      `tenant [${DEMO_PROJECT_ID}] relate fpga image [${FPGA}] and image [${IMAGE}] failed: relation already exist or the related fpga image count of image reach the max limit`,
    );
  });

  test('ten FPGA images per ECS image, and not an eleventh', async () => {
    for (let n = 1; n <= 10; n++) expect((await relate('POST', fpgaId(n))).status).toBe(204);
    expectEcsError(await relate('POST', fpgaId(11)), 400, 'Ecs.0000', /related fpga image count of image reach the max limit/);
    expect(emulator.relations()).toHaveLength(10);
    expect((await relate('POST', fpgaId(11), imageId(2))).status).toBe(204);
  });

  test('a shared ECS image is refused for both associate and disassociate', async () => {
    emulator.addRelations([{ fpgaImageId: FPGA, imageId: SHARED_IMAGE }]);
    emulator.addImages({ images: [{ id: SHARED_IMAGE, visibility: 'shared' }] });
    const notPrivate = `tenant [${DEMO_PROJECT_ID}] image [${SHARED_IMAGE}] type [shared] is not private`;
    expectEcsError(await relate('DELETE', FPGA, SHARED_IMAGE), 400, 'Ecs.0000', notPrivate);
    expectEcsError(await relate('POST', fpgaId(2), SHARED_IMAGE), 400, 'Ecs.0000', notPrivate);
    expect(emulator.relations()).toEqual([{ fpgaImageId: FPGA, imageId: SHARED_IMAGE }]);

    emulator.addImages({ images: [{ id: SHARED_IMAGE, visibility: 'private' }] });
    expect((await relate('DELETE', FPGA, SHARED_IMAGE)).status).toBe(204);
  });

  test('DELETE of a relation that does not exist: 404 saying so (inferred)', async () => {
    expectEcsError(await relate('DELETE', FPGA), 404, 'Ecs.0000', `relation of fpga image [${FPGA}] and image [${IMAGE}] doesn't exist`);
  });

  test('malformed IDs and bodies: 400 Ecs.0005', async () => {
    expectEcsError(await relate('POST', 'NOT-HEX'), 400, 'Ecs.0005', /invalid fpga_image_id "NOT-HEX": expected 32 lowercase hexadecimal/);
    expectEcsError(await relate('POST', FPGA, 'not-a-uuid'), 400, 'Ecs.0005', /request body is illegal: invalid image.id "not-a-uuid"/);
    expectEcsError(await relate('DELETE', FPGA, IMAGE.toUpperCase()), 400, 'Ecs.0005', /invalid image.id/);
    expectEcsError(await relate('POST', FPGA, { image: {} }), 400, 'Ecs.0005', /image.id is missing/);
    const notJson = await signedFetch(emulator.url, { method: 'POST', path: associationPath(DEMO_PROJECT_ID, FPGA), body: '{"image":' });
    expectEcsError(notJson, 400, 'Ecs.0005', /request body is illegal: it is not JSON/);
    const empty = await signedFetch(emulator.url, { method: 'DELETE', path: associationPath(DEMO_PROJECT_ID, FPGA) });
    expectEcsError(empty, 400, 'Ecs.0005', /request body is illegal: the body is empty/);
    expect(emulator.relations()).toEqual([]);
  });

  test('a project ID other than the emulator\'s: 400 Common.0018', async () => {
    expectEcsError(await relate('POST', FPGA, IMAGE, OTHER_PROJECT), 400, 'Common.0018', /^The project ID in the URL is different from that in the token\./);
  });
});

describe('strict images', () => {
  let strict: FpgaApiEmulator;
  beforeAll(async () => {
    strict = await FpgaApiEmulator.start({ strictImages: true });
  });
  afterAll(() => strict.stop());

  const strictRelate = (fpgaImageId: string, image: string) =>
    signedFetch(strict.url, { method: 'POST', path: associationPath(DEMO_PROJECT_ID, fpgaImageId), body: { image: { id: image } } });

  test('unknown FPGA or ECS images are 404; registered ones work', async () => {
    expectEcsError(await strictRelate(FPGA, IMAGE), 404, 'Ecs.0000', `tenant [${DEMO_PROJECT_ID}] fpga image [${FPGA}] doesn't exist`);
    strict.addImages({ fpgaImages: [{ id: FPGA, name: 'ocl_001' }] });
    expectEcsError(await strictRelate(FPGA, IMAGE), 404, 'Ecs.0000', `tenant [${DEMO_PROJECT_ID}] image [${IMAGE}] doesn't exist`);
    strict.addImages({ images: [{ id: IMAGE }] });
    expect((await strictRelate(FPGA, IMAGE)).status).toBe(204);
  });

  test('the association query 404s for an unknown FPGA image, as fisclient shows', async () => {
    const result = await signedFetch(strict.url, { method: 'GET', path: `${associationsQueryPath(DEMO_PROJECT_ID)}?fpga_image_id=${fpgaId(99)}` });
    expectEcsError(result, 404, 'Ecs.0000', `tenant [${DEMO_PROJECT_ID}] fpga image [${fpgaId(99)}] doesn't exist`);
  });
});

describe('query associations', () => {
  beforeEach(() => {
    emulator.addRelations([1, 2, 3].map((n) => ({ fpgaImageId: fpgaId(n), imageId: IMAGE })));
    emulator.addRelations([1, 2, 3].map((n) => ({ fpgaImageId: FPGA, imageId: imageId(n) })));
  });

  test('by image: its FPGA images with the documented fields, protected while related', async () => {
    const result = await listAssociations({ image_id: IMAGE });
    expect(result.status).toBe(200);
    expect(result.json.associations).toHaveLength(1);
    expect(result.json.associations[0].image_id).toBe(IMAGE);
    expect(result.json.associations[0].fpgaimages.map((f: any) => f.id)).toEqual([fpgaId(1), fpgaId(2), fpgaId(3)]);
    expect(result.json.associations[0].fpgaimages[0]).toEqual({
      id: fpgaId(1),
      name: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      description: expect.any(String),
      status: 'active',
      size: expect.any(Number),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      protected: true,
      message: null,
      metadata: expect.any(Object),
      log_directory: expect.any(String),
    });
  });

  test('paging needs both page and size, in range', async () => {
    const paged = await listAssociations({ image_id: IMAGE, page: '2', size: '2' });
    expect(paged.json.associations[0].fpgaimages.map((f: any) => f.id)).toEqual([fpgaId(3)]);
    const byFpga = await listAssociations({ fpga_image_id: FPGA, page: '1', size: '2' });
    expect(byFpga.json.associations.map((a: any) => a.image_id)).toEqual([imageId(1), imageId(2)]);

    expectEcsError(await listAssociations({ image_id: IMAGE, page: '1' }), 400, 'Ecs.0005', /page and size must be given together/);
    expectEcsError(await listAssociations({ image_id: IMAGE, size: '1' }), 400, 'Ecs.0005', /page and size must be given together/);
    for (const [page, size] of [['0', '1'], ['65535', '1'], ['1', '0'], ['1', '101'], ['+1', '1'], ['1', '2.5']]) {
      expectEcsError(await listAssociations({ image_id: IMAGE, page, size }), 400, 'Ecs.0005', /invalid parameter (page|size)/);
    }
    expect((await listAssociations({ image_id: IMAGE, page: '65534', size: '100' })).json).toEqual({ associations: [] });
  });

  test('with both IDs paging is ignored; with neither the list is empty', async () => {
    const both = await listAssociations({ image_id: IMAGE, fpga_image_id: fpgaId(3), page: '99', size: '1' });
    expect(both.json.associations).toEqual([{ image_id: IMAGE, fpgaimages: [expect.objectContaining({ id: fpgaId(3) })] }]);
    expect((await listAssociations({ image_id: IMAGE, fpga_image_id: fpgaId(9) })).json).toEqual({ associations: [] });
    expect((await listAssociations({})).json).toEqual({ associations: [] });
  });

  test('malformed query IDs: 400 Ecs.0005', async () => {
    expectEcsError(await listAssociations({ image_id: 'x' }), 400, 'Ecs.0005', /invalid parameter: invalid image_id "x"/);
    expectEcsError(await listAssociations({ fpga_image_id: '' }), 400, 'Ecs.0005', /invalid fpga_image_id ""/);
  });
});

describe('list FPGA images', () => {
  test('count, paging, the fpga_image_id filter, and protected only while related', async () => {
    emulator.addImages({ fpgaImages: [1, 2, 3].map((n) => ({ id: fpgaId(n) })) });
    emulator.addRelations([{ fpgaImageId: fpgaId(2), imageId: IMAGE }]);

    const all = await listFpgaImages();
    expect(all.status).toBe(200);
    expect(all.json.count).toBe(3);
    expect(all.json.fpgaimages.map((f: any) => [f.id, f.protected])).toEqual([
      [fpgaId(1), false],
      [fpgaId(2), true],
      [fpgaId(3), false],
    ]);
    const page = await listFpgaImages({ page: '2', size: '2' });
    expect(page.json).toEqual({ count: 3, fpgaimages: [expect.objectContaining({ id: fpgaId(3) })] });
    const one = await listFpgaImages({ fpga_image_id: fpgaId(2), page: '5', size: '1' });
    expect(one.json).toEqual({ count: 1, fpgaimages: [expect.objectContaining({ id: fpgaId(2), protected: true })] });

    await relate('DELETE', fpgaId(2));
    expect((await listFpgaImages({ fpga_image_id: fpgaId(2) })).json.fpgaimages[0].protected).toBe(false);
  });

  test('pages of at most 100 in the order the images came, each with the total count; past the last page, an empty list', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => fpgaId(i + 1));
    emulator.addImages({ fpgaImages: ids.map((id) => ({ id })) });

    const pages = [];
    for (let page = 1; page <= 4; page++) pages.push((await listFpgaImages({ page: String(page), size: '100' })).json);
    expect(pages.map((p) => p.count)).toEqual([230, 230, 230, 230]);
    expect(pages.map((p) => p.fpgaimages.length)).toEqual([100, 100, 30, 0]);
    expect(pages.flatMap((p) => p.fpgaimages.map((f: any) => f.id))).toEqual(ids);
    expectEcsError(await listFpgaImages({ page: '1', size: '101' }), 400, 'Ecs.0005', /invalid parameter size "101": expected a decimal integer from 1 to 100/);
    expectEcsError(await listFpgaImages({ page: '2' }), 400, 'Ecs.0005', /page and size must be given together/);
  });

  test('every item has the documented fields', async () => {
    emulator.addImages({ fpgaImages: [{ id: FPGA, name: 'ocl_001' }] });
    const { json } = await listFpgaImages({ fpga_image_id: FPGA });
    expect(json).toEqual({
      count: 1,
      fpgaimages: [{
        id: FPGA,
        name: 'ocl_001',
        description: '',
        status: 'active',
        size: expect.any(Number),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        protected: false,
        message: null,
        metadata: expect.any(Object),
        log_directory: expect.any(String),
      }],
    });
  });

  test('an unknown fpga_image_id (strict mode) is an empty list, not a 404; a malformed one is 400 Ecs.0005', async () => {
    const strict = await FpgaApiEmulator.start({ strictImages: true });
    try {
      const unknown = await signedFetch(strict.url, { method: 'GET', path: `/v1/${DEMO_PROJECT_ID}/cloudservers/fpga_image/detail?fpga_image_id=${FPGA}` });
      expect(unknown.status).toBe(200);
      expect(unknown.json).toEqual({ count: 0, fpgaimages: [] });
      expect(strict.state().fpgaImages).toEqual([]);
    } finally {
      await strict.stop();
    }
    expectEcsError(await listFpgaImages({ fpga_image_id: 'XYZ' }), 400, 'Ecs.0005', /invalid parameter: invalid fpga_image_id "XYZ"/);
  });

  test('another project: 400 Common.0018', async () => {
    expectEcsError(await get(`/v1/${OTHER_PROJECT}/cloudservers/fpga_image/detail`), 400, 'Common.0018', /The project ID in the URL is different/);
  });
});

describe('the gateway around the API', () => {
  test('unknown routes and methods: 404 APIGW.0101 in the flat shape, before authentication', async () => {
    for (const [method, path] of [
      ['GET', '/v2/whatever'],
      ['GET', associationPath(DEMO_PROJECT_ID, FPGA)],
      ['PUT', associationPath(DEMO_PROJECT_ID, FPGA)],
      ['GET', `${associationPath(DEMO_PROJECT_ID, FPGA)}/`],
    ]) {
      const result = await answer(await fetch(`${emulator.url}${path}`, { method }));
      expect(result.status).toBe(404);
      expect(result.json).toEqual({
        error_code: 'APIGW.0101',
        error_msg: expect.stringMatching(/^The API does not exist or has not been published in the environment/),
        request_id: result.headers.get('x-request-id'),
      });
    }
  });

  test('every response carries a 32-hex X-Request-Id, unique, and a Date', async () => {
    const results = [await relate('POST', FPGA), await relate('POST', FPGA), await listAssociations({}), await answer(await fetch(`${emulator.url}/nope`))];
    const ids = results.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of results) expect(Date.parse(r.headers.get('date')!)).not.toBeNaN();
    expect(emulator.requests().map((r) => r.requestId)).toEqual(ids);
  });
});
