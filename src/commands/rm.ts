import { findContainer } from '../runtime/containers.js'
import { removeContainer } from '../runtime/lifecycle.js'
import { removeAnonymousVolumes } from '../runtime/volumes.js'
import { eachArg } from './each.js'
import * as host from '../host/gateway.js'

export default function rm(refs: string[], f: { force?: boolean; volumes?: boolean }) {
  return eachArg(refs, async (ref) => {
    const c = findContainer(ref)
    await removeContainer(c, !!f.force)
    if (f.volumes) removeAnonymousVolumes(c)
    if (!host.isDry()) process.stdout.write(ref + '\n') // stdout is the script
  })
}
