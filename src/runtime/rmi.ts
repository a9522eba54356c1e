// Removing images: untag, then delete the record when nothing names or
// uses it, walking up through the build's untagged parents; layers go
// when no remaining image lists them.
import { DuckerError } from '../errors.js'
import { listContainers } from './containers.js'
import { findImage, hex, listImages, normalizeRef, shortId, type ImageConfig } from './images.js'
import { pruneLayers } from './layers.js'
import { deleteImageRecord, setTags } from './tags.js'

/** Remove one image reference; returns docker's "Untagged:/Deleted:" lines. */
export function removeImage(ref: string, force: boolean): string[] {
  const img = findImage(ref)
  if (!img) throw new DuckerError(`No such image: ${ref}`, 1)
  const out: string[] = []
  const users = listContainers().filter((c) => c.imageId === img.id)
  const byId = img.id.startsWith(hex(ref)) && !img.repoTags.includes(safeNormalize(ref))
  if (users.length && !force) {
    throw new DuckerError(`conflict: unable to remove repository reference "${ref}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${shortId(img.id)}`, 1)
  }
  if (byId && img.repoTags.length > 1 && !force) {
    throw new DuckerError(`conflict: unable to delete ${shortId(img.id)} (must be forced) - image is referenced in multiple repositories`, 1)
  }
  const drop = byId ? img.repoTags : [normalizeRef(ref)]
  const keep = img.repoTags.filter((t) => !drop.includes(t))
  for (const t of drop) out.push(`Untagged: ${t}`)
  if (keep.length || users.length) {
    // Still named, or a container still runs on it: only the tag goes.
    if (drop.length) setTags(img, keep, `untag ${drop.join(', ')}`)
    return out
  }
  const all = listImages()
  if (all.some((i) => i.parent === img.id)) {
    if (byId) throw new DuckerError(`conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image has dependent child images`, 1)
    setTags(img, [], `untag ${drop.join(', ')}; other images are built on it, so it stays as their parent`)
    return out
  }
  const layers: string[] = []
  const deleted: string[] = []
  let cur: ImageConfig | undefined = img
  const used = new Set(listContainers().map((c) => c.imageId))
  while (cur) {
    deleteImageRecord(cur)
    deleted.push(cur.id)
    out.push(`Deleted: sha256:${cur.id}`)
    layers.push(...cur.layers)
    const parentId: string | undefined = cur.parent
    const gone: string = cur.id
    const parent: ImageConfig | undefined = parentId ? all.find((i) => i.id === parentId) : undefined
    cur = parent && !parent.repoTags.length && !used.has(parent.id) && !all.some((i) => i.parent === parent.id && i.id !== gone) ? parent : undefined
    if (cur) all.splice(all.findIndex((i) => i.id === gone), 1)
  }
  pruneLayers(layers, deleted)
  return out
}

function safeNormalize(ref: string) {
  try { return normalizeRef(ref) } catch { return '' }
}
