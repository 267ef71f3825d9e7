import type { PairIn } from './change';
import { count, print, table } from './output';
import { associatedFpgaImages, associatedImages, isAssociated, listFpgaImages, type Association } from '../handler/association';
import type { Log } from '../handler/log';
import type { Session } from '../handler/session';

/**
 * `list`: the associations of an FPGA image, of an ECS image, of the pair, or (with neither ID) of
 * every protected FPGA image of the project. The detail list says which FPGA images are protected;
 * only those cost an associations query.
 */

export interface ListedAssociation {
  readonly fpgaImageId: string;
  readonly imageId: string;
  /** Known when the walk of the project's FPGA images read it. */
  readonly fpgaImageName?: string;
}

/** What `--json` prints (test/cli/list-output.schema.json). */
export interface ListOutput {
  readonly projectId: string;
  readonly associations: readonly ListedAssociation[];
  /** How many FPGA images the walk of the project read (the walk only). */
  readonly fpgaImagesListed?: number;
}

/** The walk: every FPGA image, page by page, then the associations of the protected ones. */
async function walk(session: Session, a: Association, log: Log): Promise<ListOutput> {
  let pages = 0;
  const images = await listFpgaImages(session.api, a, (read, total) => {
    // A walk of one page is quick; a longer one says how far it got.
    if (++pages > 1 || read < total) log.note(`listed ${read} of ${count(total, 'FPGA image')}`);
  });
  const protectedImages = images.filter((image) => image.protected);
  if (pages > 1) log.note(`${protectedImages.length} of them protected: querying their associations`);
  const associations: ListedAssociation[] = [];
  for (const image of protectedImages) {
    const imageIds = await associatedImages(session.api, { ...a, fpgaImageId: image.id });
    // Protected by something this project's query cannot see: worth saying, as nothing here will free it.
    if (imageIds.length === 0) log.note(`FPGA image ${image.id} is protected, but the associations query names no ECS image for it in project ${a.projectId}`);
    associations.push(...imageIds.map((imageId) => ({ fpgaImageId: image.id, imageId, fpgaImageName: image.name })));
  }
  return { projectId: a.projectId, associations, fpgaImagesListed: images.length };
}

async function query(session: Session, a: Association, log: Log): Promise<ListOutput> {
  const pairs = (fpgaImageIds: readonly string[], imageIds: readonly string[]) =>
    fpgaImageIds.flatMap((fpgaImageId) => imageIds.map((imageId) => ({ fpgaImageId, imageId })));
  let associations: ListedAssociation[];
  if (a.fpgaImageId && a.imageId) associations = (await isAssociated(session.api, a)) ? pairs([a.fpgaImageId], [a.imageId]) : [];
  else if (a.fpgaImageId) associations = pairs([a.fpgaImageId], await associatedImages(session.api, a));
  else if (a.imageId) associations = pairs(await associatedFpgaImages(session.api, a), [a.imageId]);
  else return walk(session, a, log);
  return { projectId: a.projectId, associations };
}

/** The table, and a line that says what it means (or what was found when it is empty). */
function describe(output: ListOutput, a: Association): string[] {
  const { associations, projectId } = output;
  const inProject = `in project ${projectId}`;
  if (associations.length === 0) {
    if (a.fpgaImageId && a.imageId) return [`FPGA image ${a.fpgaImageId} is not associated with ECS image ${a.imageId} ${inProject}`];
    if (a.fpgaImageId) return [`FPGA image ${a.fpgaImageId} is associated with no ECS image ${inProject}: it is not protected`];
    if (a.imageId) return [`ECS image ${a.imageId} is associated with no FPGA image ${inProject}`];
    if (output.fpgaImagesListed === 0) return [`project ${projectId} has no FPGA image`];
    return [`no FPGA image ${inProject} is protected: none of its ${count(output.fpgaImagesListed!, 'FPGA image')} is associated with an ECS image`];
  }
  const walked = output.fpgaImagesListed !== undefined;
  const rows = associations.map((pair) => (walked ? [pair.fpgaImageId, pair.fpgaImageName ?? '', pair.imageId] : [pair.fpgaImageId, pair.imageId]));
  const header = walked ? ['FPGA IMAGE', 'NAME', 'ECS IMAGE'] : ['FPGA IMAGE', 'ECS IMAGE'];
  const protectedCount = new Set(associations.map((pair) => pair.fpgaImageId)).size;
  const summary = walked
    ? `${count(associations.length, 'association')} ${inProject}: ${protectedCount} of its ${count(output.fpgaImagesListed!, 'FPGA image')} protected`
    : `${count(associations.length, 'association')} ${inProject}`;
  return [...table(header, rows), summary];
}

export async function listCommand(session: Session, pairIn: PairIn, json: boolean, log: Log): Promise<void> {
  await session.inProject(async (project) => {
    const a = pairIn(project);
    const output = await query(session, a, log);
    if (json) log.result(output);
    else print(...describe(output, a));
  });
}
