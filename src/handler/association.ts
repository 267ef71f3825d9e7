import { INPUT_ENV } from '../contract';
import { associationPath, associationsQueryPath, fpgaImagesDetailPath } from '../rules';
import type { AssociationInputs } from './config';
import { describeFault, GaveUpError, readFault, RejectedError, UnexpectedResponseError, type ApiFault, type ApiResponse } from './errors';
import type { ApiClient } from './http-client';
import { jsonValue } from './json-text';

/**
 * The operations. Happy paths are one request each; only an ambiguous refusal (associate:
 * 400; disassociate: 400 or 404) costs a query of the association, so that running an operation
 * twice, or after someone did it by hand, succeeds.
 */

/** The pair and the project it lives in. */
export interface Association extends AssociationInputs {
  readonly projectId: string;
  /** Where the project ID came from (FPGA_ASSOC_PROJECT_ID, HW_PROJECT_ID, a profile, IAM), for hints. */
  readonly projectSource: string;
}

/** IAM actions, from the ECS permission table. */
export const PERMISSIONS = {
  associate: 'ecs:cloudServerFpgaImages:relate',
  disassociate: 'ecs:cloudServerFpgaImages:unrelate',
  query: 'ecs:cloudServerFpgaImages:getRelations',
  list: 'ecs:cloudServerFpgaImages:list',
} as const;

function succeeded(response: ApiResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** `204, request id …` */
function answer(response: ApiResponse): string {
  const { requestId } = readFault(response);
  return `${response.status}${requestId ? `, request id ${requestId}` : ''}`;
}

type Kind = 'associate' | 'disassociate' | 'query';

const AGAIN: Record<Kind, string> = { associate: 'run apply again', disassociate: 'run destroy again', query: 'run it again' };

/** What to do about a refusal, from what the API said; the API's own words stay in the message. */
function hintFor(kind: Kind, fault: ApiFault, a: Association): string {
  const message = fault.message ?? '';
  if (fault.code === 'APIGW.0101') {
    return `The endpoint does not serve the ECS FPGA-image API: check ${INPUT_ENV.endpoint} or ${INPUT_ENV.region}`;
  }
  if (fault.code === 'Common.0018' && kind === 'disassociate') {
    // Not taken as "already gone": with other credentials (another account's), this association may exist.
    return `The credentials in use cannot act in project ${a.projectId}: if the association was made, it was with that project's credentials: `
      + 'run destroy with them. If it never was (its apply failed with this same error), nothing is associated: '
      + "remove the association's null_resource from the state with `terraform state rm`";
  }
  if (fault.code === 'Common.0018') {
    return `Check ${a.projectSource}: it must be the project, in the endpoint's region, that the credentials belong to`;
  }
  if (/not private|\bshared\b/i.test(message)) {
    return kind === 'disassociate'
      ? `ECS image ${a.imageId} is shared, and the API refuses to disassociate from a shared image: cancel the image's sharing first, then run destroy again`
      : `ECS image ${a.imageId} is not private (shared or from the marketplace), and only private images can be associated: `
        + "use a private image, or cancel the image's sharing, then run apply again";
  }
  if (kind === 'associate' && /max limit|already exist/i.test(message)) {
    return `ECS image ${a.imageId} can take no more FPGA images (at most 10 per image, and the image must be private): `
      + 'disassociate one from it or use another ECS image, then run apply again';
  }
  if (/not the owner/i.test(message)) {
    return `Only the account that owns FPGA image ${a.fpgaImageId} can change its associations: use that account's credentials, then ${AGAIN[kind]}`;
  }
  if (fault.status === 404) {
    return `Check that FPGA image ${a.fpgaImageId} and ECS image ${a.imageId} exist in project ${a.projectId} (${a.projectSource}) and in the endpoint's region`;
  }
  return `Fix the cause above, then ${AGAIN[kind]}`;
}

function rejected(kind: Kind, operation: string, response: ApiResponse, a: Association): RejectedError {
  const fault = readFault(response);
  return new RejectedError(describeFault(fault), { operation, fault, hint: hintFor(kind, fault, a) });
}

type AssociationEntry = { image_id?: unknown; fpgaimages?: unknown };

/** One page of the associations query; an FPGA image the API does not know has none. */
async function queryAssociations(
  api: ApiClient, a: Association, operation: string, query: URLSearchParams, kind: Kind = 'query',
): Promise<AssociationEntry[]> {
  const response = await api.call({
    method: 'GET',
    path: `${associationsQueryPath(a.projectId)}?${query}`,
    operation,
    permission: PERMISSIONS.query,
  });
  const fault = readFault(response);
  // An unknown API path (APIGW.0101) is a wrong endpoint, not a missing FPGA image.
  if (response.status === 404 && !fault.code?.startsWith('APIGW.')) return [];
  if (!succeeded(response)) throw rejected(kind, operation, response, a);
  const associations = (jsonValue(response.body) as { associations?: unknown } | null | undefined)?.associations;
  if (!Array.isArray(associations)) {
    throw new UnexpectedResponseError(`HTTP ${response.status} without an "associations" list: ${describeFault(fault)}`, {
      operation,
      fault,
      hint: 'The API answered in an unknown format: report this with the request id',
    });
  }
  return associations;
}

function relates(entry: AssociationEntry, fpgaImageId: string): boolean {
  return Array.isArray(entry?.fpgaimages) && entry.fpgaimages.some((image: { id?: unknown }) => image?.id === fpgaImageId);
}

/** Whether the pair is associated (the `status` operation, or resolving an associate's or disassociate's refusal: `kind`, for the hint). */
export async function isAssociated(api: ApiClient, a: Association, kind: Kind = 'query'): Promise<boolean> {
  const operation = `query the association of FPGA image ${a.fpgaImageId} with ECS image ${a.imageId}`;
  const query = new URLSearchParams({ fpga_image_id: a.fpgaImageId, image_id: a.imageId });
  const associations = await queryAssociations(api, a, operation, query, kind);
  return associations.some((entry) => entry?.image_id === a.imageId && relates(entry, a.fpgaImageId));
}

/**
 * An associations query that names no image, which the API answers with an empty list: whether the
 * credentials may query associations in the project (`doctor`). Returns the answer, `200, request id …`.
 */
export async function checkQueryAllowed(api: ApiClient, a: Association): Promise<string> {
  const operation = `query the associations of project ${a.projectId}`;
  const response = await api.call({ method: 'GET', path: associationsQueryPath(a.projectId), operation, permission: PERMISSIONS.query });
  if (!succeeded(response)) throw rejected('query', operation, response, a);
  return answer(response);
}

/** The API's largest page of the associations query and of the FPGA images' list. */
const PAGE_SIZE = 100;

/** Every page of the associations query filtered by `filter`, until one brings fewer than a page of the `counted` items. */
async function allAssociations(
  api: ApiClient, a: Association, operation: string, filter: Record<string, string>, counted: (entries: AssociationEntry[]) => number,
): Promise<AssociationEntry[]> {
  const all: AssociationEntry[] = [];
  for (let page = 1; ; page++) {
    const entries = await queryAssociations(api, a, operation, new URLSearchParams({ ...filter, page: String(page), size: String(PAGE_SIZE) }));
    all.push(...entries);
    if (counted(entries) < PAGE_SIZE) return all;
  }
}

/**
 * Every ECS image the FPGA image is associated with, sorted (the `list` operation): what a person
 * whose FPGA image is protected needs to know first, whoever made the associations.
 */
export async function associatedImages(api: ApiClient, a: Association): Promise<string[]> {
  const operation = `list the ECS images FPGA image ${a.fpgaImageId} is associated with`;
  const entries = await allAssociations(api, a, operation, { fpga_image_id: a.fpgaImageId }, (page) => page.length);
  const imageIds = entries.filter((entry) => typeof entry?.image_id === 'string' && relates(entry, a.fpgaImageId)).map((entry) => entry.image_id as string);
  return [...new Set(imageIds)].sort();
}

function fpgaImagesOf(entry: AssociationEntry): unknown[] {
  return Array.isArray(entry?.fpgaimages) ? entry.fpgaimages : [];
}

/** Every FPGA image the ECS image is associated with, sorted; the API pages the FPGA images of its one entry. */
export async function associatedFpgaImages(api: ApiClient, a: Association): Promise<string[]> {
  const operation = `list the FPGA images ECS image ${a.imageId} is associated with`;
  const ofImage = (entries: AssociationEntry[]) => entries.filter((entry) => entry?.image_id === a.imageId);
  const entries = await allAssociations(api, a, operation, { image_id: a.imageId }, (page) => ofImage(page).flatMap(fpgaImagesOf).length);
  const ids = ofImage(entries).flatMap(fpgaImagesOf).map((image) => (image as { id?: unknown })?.id).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)].sort();
}

/** What the FPGA images' list says of one image. */
export interface FpgaImage {
  readonly id: string;
  readonly name: string;
  /** True while the image has an association, which keeps it from being deleted. */
  readonly protected: boolean;
}

/**
 * Every FPGA image of the project (GET …/fpga_image/detail, page by page); `onPage` is told how many
 * were read so far and the total the API counts, for progress on long walks.
 */
export async function listFpgaImages(
  api: ApiClient, a: Association, onPage: (read: number, count: number) => void = () => undefined,
): Promise<FpgaImage[]> {
  const operation = `list the FPGA images of project ${a.projectId}`;
  const images: FpgaImage[] = [];
  for (let page = 1; ; page++) {
    const response = await api.call({
      method: 'GET',
      path: `${fpgaImagesDetailPath(a.projectId)}?${new URLSearchParams({ page: String(page), size: String(PAGE_SIZE) })}`,
      operation,
      permission: PERMISSIONS.list,
    });
    if (!succeeded(response)) throw rejected('query', operation, response, a);
    const { count, fpgaimages } = readDetailPage(response, operation);
    images.push(...fpgaimages);
    onPage(images.length, count);
    // The last page is short, or brings the count: a page that is full and last needs no empty one after it.
    if (fpgaimages.length < PAGE_SIZE || images.length >= count) return images;
  }
}

function readDetailPage(response: ApiResponse, operation: string): { count: number; fpgaimages: FpgaImage[] } {
  const parsed = jsonValue(response.body) as { count?: unknown; fpgaimages?: unknown } | null | undefined;
  const items = parsed?.fpgaimages;
  const valid = Array.isArray(items) && typeof parsed?.count === 'number'
    && items.every((item: { id?: unknown; protected?: unknown }) => typeof item?.id === 'string' && typeof item.protected === 'boolean');
  if (!valid) {
    const fault = readFault(response);
    throw new UnexpectedResponseError(`HTTP ${response.status} without "count" and an "fpgaimages" list of {id, protected}: ${describeFault(fault)}`, {
      operation,
      fault,
      hint: 'The API answered in an unknown format: report this with the request id',
    });
  }
  return {
    count: parsed!.count as number,
    fpgaimages: (items as { id: string; name?: unknown; protected: boolean }[])
      .map((item) => ({ id: item.id, name: typeof item.name === 'string' ? item.name : '', protected: item.protected })),
  };
}

/** POST or DELETE on the association resource: the same path and body, `{"image":{"id":…}}`. */
function callAssociation(api: ApiClient, a: Association, method: 'POST' | 'DELETE', operation: string, permission: string) {
  return api.call({ method, path: associationPath(a.projectId, a.fpgaImageId), body: { image: { id: a.imageId } }, operation, permission });
}

/** Associates the pair; returns the line that says what happened. */
export async function associate(api: ApiClient, a: Association): Promise<string> {
  const operation = `associate FPGA image ${a.fpgaImageId} with ECS image ${a.imageId}`;
  const response = await callAssociation(api, a, 'POST', operation, PERMISSIONS.associate).catch((error: unknown) => {
    throw error instanceof GaveUpError && error.outcomeUnknown ? outcomeUnknown(error, a) : error;
  });
  if (succeeded(response)) return `associated FPGA image ${a.fpgaImageId} with ECS image ${a.imageId} (${answer(response)})`;
  // 400 means "already associated" or "the ECS image has its 10 FPGA images": only a query tells which.
  if (response.status === 400 && (await isAssociated(api, a))) {
    return `FPGA image ${a.fpgaImageId} was already associated with ECS image ${a.imageId}: nothing to do (the API answered ${answer(response)})`;
  }
  throw rejected('associate', operation, response, a);
}

/** Giving up on an associate that the API may have carried out: say so, and what settles it. */
function outcomeUnknown(error: GaveUpError, a: Association): GaveUpError {
  return new GaveUpError(error.message, {
    operation: error.operation,
    fault: error.fault,
    cause: error.cause,
    outcomeUnknown: true,
    hint: `The association of FPGA image ${a.fpgaImageId} with ECS image ${a.imageId} may have been made: the API may have acted on a request whose answer was lost. `
      + 'Run `terraform apply` again once the API answers: it confirms the association (or makes it); `terraform destroy` removes it either way.'
      + (error.hint ? ` ${error.hint}` : ''),
  });
}

/** Removes the association; returns the line that says what happened. */
export async function disassociate(api: ApiClient, a: Association): Promise<string> {
  const operation = `disassociate FPGA image ${a.fpgaImageId} from ECS image ${a.imageId}`;
  const response = await callAssociation(api, a, 'DELETE', operation, PERMISSIONS.disassociate);
  if (succeeded(response)) return `disassociated FPGA image ${a.fpgaImageId} from ECS image ${a.imageId} (${answer(response)})`;
  if ((response.status === 400 || response.status === 404) && !(await isAssociated(api, a, 'disassociate'))) {
    return `FPGA image ${a.fpgaImageId} was not associated with ECS image ${a.imageId}: already gone, nothing to do (the API answered ${answer(response)})`;
  }
  throw rejected('disassociate', operation, response, a);
}
