import * as host from '../host/gateway.js'
import { BUILTIN, listImages, resolveImage, shortId } from '../runtime/images.js'
import { imageSize } from '../runtime/layers.js'
import { ensureRoot } from '../runtime/lifecycle.js'
import { humanDuration, humanSize, table } from '../ui.js'
import { nothingToShow } from './read-only.js'

export default function images(f: { all?: boolean; quiet?: boolean }) {
  if (nothingToShow('images')) return
  // The built-in alpine is always there, as if it were pulled on install.
  // (Not prepared yet? Then list what there is rather than fail.)
  if (!host.isDry()) { ensureRoot(); try { resolveImage(BUILTIN) } catch { /* make image not run */ } }
  const all = listImages().sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || a.id.localeCompare(b.id))
  const parents = new Set(all.map((i) => i.parent).filter(Boolean))
  // Like docker: untagged images that are some image's parent (build steps) only with -a.
  const shown = all.filter((i) => f.all || i.repoTags.length || !parents.has(i.id))
  if (f.quiet) { process.stdout.write(shown.map((i) => shortId(i.id) + '\n').join('')); return 0 }
  const now = Date.now()
  const rows = shown.flatMap((i) => {
    const tail = [shortId(i.id), `${humanDuration(now - Date.parse(i.created))} ago`, humanSize(imageSize(i))]
    if (!i.repoTags.length) return [['<none>', '<none>', ...tail]]
    return i.repoTags.map((t) => { const c = t.lastIndexOf(':'); return [t.slice(0, c), t.slice(c + 1), ...tail] })
  })
  process.stdout.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows))
  return 0
}
