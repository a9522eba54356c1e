import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { findContainer } from '../runtime/containers.js'
import { resolveImage } from '../runtime/images.js'
import { runForeground, startDetached } from '../runtime/lifecycle.js'
import { eachArg } from './each.js'

export default async function start(refs: string[], f: { attach?: boolean; interactive?: boolean }) {
  if (f.attach) {
    if (refs.length > 1) throw new DuckerError('you cannot start and attach multiple containers at once', 125)
    const c = findContainer(refs[0])
    if (c.state.status === 'running') return 0
    c.config.interactive = !!f.interactive
    return await runForeground(c, resolveImage(c.imageId))
  }
  return eachArg(refs, async (ref) => {
    const c = findContainer(ref)
    if (c.state.status !== 'running') await startDetached(c, resolveImage(c.imageId))
    if (!host.isDry()) process.stdout.write(ref + '\n')
  })
}
