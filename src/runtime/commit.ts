// commit: the container's upper dir (its changes, whiteouts included)
// becomes one new layer on top of its image's layers.
import path from 'node:path'
import { DuckerError } from '../errors.js'
import { containerDir } from '../store/paths.js'
import { findContainer } from './containers.js'
import { listImages, type ImageConfig } from './images.js'
import * as host from '../host/gateway.js'
import { createLayer, upperEntries, whiteoutsOf } from './layers.js'
import { createLayerScript } from './layerscript.js'
import { addImage } from './tags.js'

export async function commit(ref: string, repo: string | undefined): Promise<ImageConfig> {
  const c = findContainer(ref)
  const base = listImages().find((i) => i.id === c.imageId)
  if (!base) throw new DuckerError(`the image of container ${c.name} (${c.imageId.slice(0, 12)}) no longer exists`, 125)
  if (repo !== undefined) repo = repo.trim()
  const upper = path.join(containerDir(c.id), 'upper')
  // Only upper/ is archived: the log, config and exit files live beside it.
  const why = `container ${c.name}'s changes become one layer`
  const entries = upperEntries(upper)
  const diffId = host.isDry() ? createLayerScript(upper, whiteoutsOf(entries), why)
    : await createLayer(entries, why, `tar -cf layer.tar -C ${upper} .  # overlay whiteouts (char 0/0, opaque xattr) become .wh. files`)
  const created = new Date().toISOString()
  // HOSTNAME (and the default HOME) are per-container runtime values, not image config.
  const env = c.config.env.filter((e) => !e.startsWith('HOSTNAME=') && !(e === 'HOME=/root' && !base.config.env.includes(e)))
  return addImage({
    created, layers: [...base.layers, diffId],
    config: { env, cmd: c.config.cmd, workdir: c.config.workdir, exposedPorts: c.config.exposedPorts ?? base.config.exposedPorts, entrypoint: base.config.entrypoint ?? null },
    history: [...base.history, { created, createdBy: `ducker commit ${c.name}` }], parent: base.id,
    ...(base.labels ? { labels: base.labels } : {}),
  }, repo ? [repo] : [], `record the image committed from ${c.name}`)
}
