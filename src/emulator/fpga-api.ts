import { checkId, IdField, showValue } from '../rules';
import { ecsError } from './error-bodies';
import { checkKeys, field, listOf, optionalString } from './json-input';

/**
 * The FPGA-image association API's documented rules (reference §1.2-1.4, fisclient README) over an
 * in-memory state. Knows nothing of HTTP beyond status codes; authentication happens before it.
 */

export type Visibility = 'private' | 'shared';

export interface Relation {
  readonly fpgaImageId: string;
  readonly imageId: string;
}

export interface ImagesSpec {
  readonly images?: readonly { readonly id: string; readonly visibility?: Visibility }[];
  readonly fpgaImages?: readonly { readonly id: string; readonly name?: string }[];
}

export interface ApiSnapshot {
  readonly relations: Relation[];
  readonly images: { id: string; visibility: Visibility }[];
  readonly fpgaImages: { id: string; name: string }[];
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: object;
}

export type ApiHandler = (query: URLSearchParams, body: Buffer) => ApiResponse;

export interface FpgaApiConfig {
  readonly projectId: string;
  readonly strictImages: boolean;
  /** The emulator's clock, in epoch milliseconds. */
  readonly now: () => number;
}

/** fisclient README: "A maximum of 10 FPGA images can be associated with an ECS image". */
export const MAX_FPGA_IMAGES_PER_IMAGE = 10;

/** Documented ECS codes (reference §2.4). */
const INVALID_PARAMETER = 'Ecs.0005';
const PROJECT_MISMATCH = 'Common.0018';
/** The FPGA-specific failures have no documented code; Ecs.0000 is ECS's generic "request data error". */
const FPGA_REJECTED = 'Ecs.0000';

const RELATION_BODY = 'expected {"image":{"id":"<ECS image ID>"}}';

const PATH_PREFIX = '^/v1/([^/]+)/cloudservers/fpga_image';
const ASSOCIATION_PATH = new RegExp(`${PATH_PREFIX}/([^/]+)/association$`);
const ASSOCIATIONS_PATH = new RegExp(`${PATH_PREFIX}/associations$`);
const DETAIL_PATH = new RegExp(`${PATH_PREFIX}/detail$`);

/** A refusal the API answers with an ECS-shaped error body. */
class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function invalid(message: string): Rejection {
  return new Rejection(400, INVALID_PARAMETER, message);
}

interface Paging {
  readonly page: number;
  readonly size: number;
}

export class FpgaApi {
  private readonly images = new Map<string, Visibility>();
  private readonly fpgaImages = new Map<string, { name: string; createdAt: string }>();
  private relationList: Relation[] = [];

  constructor(private readonly config: FpgaApiConfig) {}

  /** The handler for an API route, or undefined when no API has this method and path. */
  route(method: string, pathname: string): ApiHandler | undefined {
    const association = ASSOCIATION_PATH.exec(pathname);
    if (association && method === 'POST') return this.handler(association[1], (_, body) => this.associate(association[2], body));
    if (association && method === 'DELETE') return this.handler(association[1], (_, body) => this.disassociate(association[2], body));
    if (method !== 'GET') return undefined;
    const associations = ASSOCIATIONS_PATH.exec(pathname);
    if (associations) return this.handler(associations[1], (query) => this.listAssociations(query));
    const detail = DETAIL_PATH.exec(pathname);
    if (detail) return this.handler(detail[1], (query) => this.listFpgaImages(query));
    return undefined;
  }

  addImages(spec: ImagesSpec): void {
    checkKeys(spec, ['images', 'fpgaImages'], 'images spec');
    const images = listOf(spec.images, 'images').map((entry, i) => {
      checkKeys(entry, ['id', 'visibility'], `images[${i}]`);
      return { id: requireId('imageId', field(entry, 'id'), `images[${i}].id`), visibility: checkVisibility(field(entry, 'visibility'), `images[${i}].visibility`) };
    });
    const fpgaImages = listOf(spec.fpgaImages, 'fpgaImages').map((entry, i) => {
      checkKeys(entry, ['id', 'name'], `fpgaImages[${i}]`);
      return { id: requireId('fpgaImageId', field(entry, 'id'), `fpgaImages[${i}].id`), name: checkName(field(entry, 'name'), `fpgaImages[${i}].name`) };
    });
    for (const image of images) this.images.set(image.id, image.visibility ?? this.images.get(image.id) ?? 'private');
    for (const fpgaImage of fpgaImages) this.registerFpgaImage(fpgaImage.id, fpgaImage.name);
  }

  /** Adds relations as if they had been created through the API; their images are registered (private) if new. */
  addRelations(relations: readonly Relation[]): void {
    const added = listOf(relations, 'relations').map((entry, i) => {
      checkKeys(entry, ['fpgaImageId', 'imageId'], `relations[${i}]`);
      return {
        fpgaImageId: requireId('fpgaImageId', field(entry, 'fpgaImageId'), `relations[${i}].fpgaImageId`),
        imageId: requireId('imageId', field(entry, 'imageId'), `relations[${i}].imageId`),
      };
    });
    const next = [...this.relationList];
    for (const [i, relation] of added.entries()) {
      if (next.some((r) => r.fpgaImageId === relation.fpgaImageId && r.imageId === relation.imageId)) continue;
      if (next.filter((r) => r.imageId === relation.imageId).length >= MAX_FPGA_IMAGES_PER_IMAGE) {
        throw new Error(
          `invalid relations[${i}]: image ${relation.imageId} would have more than ${MAX_FPGA_IMAGES_PER_IMAGE} FPGA images, which the API never allows`,
        );
      }
      next.push(relation);
    }
    for (const relation of added) {
      if (!this.images.has(relation.imageId)) this.images.set(relation.imageId, 'private');
      this.registerFpgaImage(relation.fpgaImageId);
    }
    this.relationList = next;
  }

  relations(): Relation[] {
    return this.relationList.map((relation) => ({ ...relation }));
  }

  snapshot(): ApiSnapshot {
    return {
      relations: this.relations(),
      images: [...this.images].map(([id, visibility]) => ({ id, visibility })),
      fpgaImages: [...this.fpgaImages].map(([id, { name }]) => ({ id, name })),
    };
  }

  clear(): void {
    this.images.clear();
    this.fpgaImages.clear();
    this.relationList = [];
  }

  /** Wraps an operation: project check first (as IAM does), then the operation; a returned undefined means 204. */
  private handler(projectId: string, operation: (query: URLSearchParams, body: Buffer) => object | undefined): ApiHandler {
    return (query, body) => {
      try {
        if (projectId !== this.config.projectId) {
          throw new Rejection(
            400,
            PROJECT_MISMATCH,
            `The project ID in the URL is different from that in the token. (The URL names ${showValue(projectId)}; this emulator serves ${this.config.projectId}.)`,
          );
        }
        const result = operation(query, body);
        return result === undefined ? { status: 204 } : { status: 200, body: result };
      } catch (error) {
        if (error instanceof Rejection) return { status: error.status, body: ecsError(error.code, error.message) };
        throw error;
      }
    };
  }

  private associate(fpgaImageId: string, body: Buffer): undefined {
    const imageId = this.checkRelationRequest(fpgaImageId, body);
    const related = this.fpgaImagesOf(imageId);
    if (related.includes(fpgaImageId) || related.length >= MAX_FPGA_IMAGES_PER_IMAGE) {
      throw new Rejection(
        400,
        FPGA_REJECTED,
        `tenant [${this.config.projectId}] relate fpga image [${fpgaImageId}] and image [${imageId}] failed: relation already exist or the related fpga image count of image reach the max limit`,
      );
    }
    this.relationList.push({ fpgaImageId, imageId });
    return undefined;
  }

  /** What the real API does for a missing relation is undocumented; a 404 is inferred (docs/EMULATOR.md). */
  private disassociate(fpgaImageId: string, body: Buffer): undefined {
    const imageId = this.checkRelationRequest(fpgaImageId, body);
    const index = this.relationList.findIndex((r) => r.fpgaImageId === fpgaImageId && r.imageId === imageId);
    if (index < 0) {
      throw new Rejection(
        404,
        FPGA_REJECTED,
        `tenant [${this.config.projectId}] relation of fpga image [${fpgaImageId}] and image [${imageId}] doesn't exist`,
      );
    }
    this.relationList.splice(index, 1);
    return undefined;
  }

  /** Checks shared by associate and disassociate; returns the ECS image ID from the body. */
  private checkRelationRequest(fpgaImageId: string, body: Buffer): string {
    const idError = checkId('fpgaImageId', fpgaImageId, 'fpga_image_id');
    if (idError) throw invalid(idError);
    const imageId = parseRelationBody(body);
    this.requireFpgaImage(fpgaImageId);
    this.requireImage(imageId);
    const visibility = this.images.get(imageId);
    if (visibility !== 'private') {
      throw new Rejection(400, FPGA_REJECTED, `tenant [${this.config.projectId}] image [${imageId}] type [${visibility}] is not private`);
    }
    return imageId;
  }

  /** Reference §1.3: neither ID gives an empty list; both IDs ignore paging. */
  private listAssociations(query: URLSearchParams): object {
    const imageId = readId(query, 'image_id', 'imageId');
    const fpgaImageId = readId(query, 'fpga_image_id', 'fpgaImageId');
    const paging = readPaging(query);
    if (fpgaImageId !== undefined) this.requireFpgaImage(fpgaImageId);
    if (imageId !== undefined) this.requireImage(imageId);

    if (imageId !== undefined && fpgaImageId !== undefined) {
      const related = this.fpgaImagesOf(imageId).includes(fpgaImageId);
      return { associations: related ? [{ image_id: imageId, fpgaimages: [this.view(fpgaImageId)] }] : [] };
    }
    if (imageId !== undefined) {
      const fpgaimages = onePage(this.fpgaImagesOf(imageId), paging).map((id) => this.view(id));
      return { associations: fpgaimages.length > 0 ? [{ image_id: imageId, fpgaimages }] : [] };
    }
    if (fpgaImageId !== undefined) {
      const imageIds = onePage(this.imagesOf(fpgaImageId), paging);
      return { associations: imageIds.map((id) => ({ image_id: id, fpgaimages: [this.view(fpgaImageId)] })) };
    }
    return { associations: [] };
  }

  /** Reference §1.4: with fpga_image_id, paging is ignored. */
  private listFpgaImages(query: URLSearchParams): object {
    const fpgaImageId = readId(query, 'fpga_image_id', 'fpgaImageId');
    const paging = readPaging(query);
    if (fpgaImageId !== undefined) {
      const fpgaimages = this.knowsFpgaImage(fpgaImageId) ? [this.view(fpgaImageId)] : [];
      return { count: fpgaimages.length, fpgaimages };
    }
    const ids = [...this.fpgaImages.keys()];
    return { count: ids.length, fpgaimages: onePage(ids, paging).map((id) => this.view(id)) };
  }

  /** The documented item fields; those the emulator has no reason to vary are shaped like the documented examples. */
  private view(fpgaImageId: string): object {
    const { name, createdAt } = this.fpgaImages.get(fpgaImageId)!;
    return {
      id: fpgaImageId,
      name,
      description: '',
      status: 'active',
      size: 43,
      createdAt,
      protected: this.relationList.some((r) => r.fpgaImageId === fpgaImageId),
      message: null,
      metadata: { shell_type: '0x121', shell_version: '0x0001', hdk_version: 'SDx 2017.1' },
      log_directory: '',
    };
  }

  /** Outside strict mode every well-formed ID exists: it is registered the first time it is used. */
  private knowsFpgaImage(id: string): boolean {
    if (!this.config.strictImages) this.registerFpgaImage(id);
    return this.fpgaImages.has(id);
  }

  private requireFpgaImage(id: string): void {
    if (!this.knowsFpgaImage(id)) {
      throw new Rejection(404, FPGA_REJECTED, `tenant [${this.config.projectId}] fpga image [${id}] doesn't exist`);
    }
  }

  private requireImage(id: string): void {
    if (!this.config.strictImages && !this.images.has(id)) this.images.set(id, 'private');
    if (!this.images.has(id)) throw new Rejection(404, FPGA_REJECTED, `tenant [${this.config.projectId}] image [${id}] doesn't exist`);
  }

  private registerFpgaImage(id: string, name?: string): void {
    const existing = this.fpgaImages.get(id);
    if (existing && name !== undefined) existing.name = name;
    if (!existing) {
      const createdAt = new Date(this.config.now()).toISOString().slice(0, 19).replace('T', ' ');
      this.fpgaImages.set(id, { name: name ?? `emulated-${id.slice(0, 8)}`, createdAt });
    }
  }

  private fpgaImagesOf(imageId: string): string[] {
    return this.relationList.filter((r) => r.imageId === imageId).map((r) => r.fpgaImageId);
  }

  private imagesOf(fpgaImageId: string): string[] {
    return this.relationList.filter((r) => r.fpgaImageId === fpgaImageId).map((r) => r.imageId);
  }
}

function parseRelationBody(body: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid(`request body is illegal: ${body.length === 0 ? 'the body is empty' : 'it is not JSON'}; ${RELATION_BODY}`);
  }
  const id = field(field(parsed, 'image'), 'id');
  if (typeof id !== 'string') throw invalid(`request body is illegal: image.id is missing or not a string; ${RELATION_BODY}`);
  const error = checkId('imageId', id, 'image.id');
  if (error) throw invalid(`request body is illegal: ${error}`);
  return id;
}

/** A present but empty parameter is refused too: it is a client bug, not a request for everything. */
function readId(query: URLSearchParams, name: string, kind: IdField): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const error = checkId(kind, value, name);
  if (error) throw invalid(`invalid parameter: ${error}`);
  return value;
}

/** fisclient: page is a decimal integer in [1, 65535), size in [1, 100], no "+"; both or neither. */
function readPaging(query: URLSearchParams): Paging | undefined {
  const page = query.get('page');
  const size = query.get('size');
  if (page === null && size === null) return undefined;
  if (page === null || size === null) {
    throw invalid('invalid parameter: page and size must be given together (paging works only when both are set)');
  }
  return { page: readInteger('page', page, 1, 65534), size: readInteger('size', size, 1, 100) };
}

function readInteger(name: string, value: string, min: number, max: number): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (n >= min && n <= max) return n;
  throw invalid(`invalid parameter ${name} ${showValue(value)}: expected a decimal integer from ${min} to ${max}`);
}

function onePage<T>(items: T[], paging: Paging | undefined): T[] {
  return paging ? items.slice((paging.page - 1) * paging.size, paging.page * paging.size) : items;
}

function requireId(kind: IdField, value: unknown, label: string): string {
  const error = typeof value === 'string' ? checkId(kind, value, label) : `invalid ${label}: expected a string`;
  if (error) throw new Error(error);
  return value as string;
}

function checkVisibility(value: unknown, label: string): Visibility | undefined {
  if (value === undefined || value === 'private' || value === 'shared') return value;
  throw new Error(`invalid ${label} ${showValue(String(value))}: expected "private" or "shared"`);
}

/** The register API's name rule: 1-64 characters from A-Z a-z 0-9 _ -. */
function checkName(value: unknown, label: string): string | undefined {
  const name = optionalString(value, label);
  if (name === undefined || /^[A-Za-z0-9_-]{1,64}$/.test(name)) return name;
  throw new Error(`invalid ${label} ${showValue(name)}: expected 1-64 characters from A-Z a-z 0-9 _ -`);
}
