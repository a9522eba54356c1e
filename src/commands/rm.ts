import { findContainer } from '../runtime/containers.js'
import { removeContainer } from '../runtime/lifecycle.js'
import { removeAnonymousVolumes } from '../runtime/volumes.js'
import { eachArg } from './each.js'

export default function rm(refs: string[], f: { force?: boolean; volumes?: boolean }) {
  return eachArg(refs, async (ref) => {
    const c = findContainer(ref)
    await removeContainer(c, !!f.force)
    if (f.volumes) removeAnonymousVolumes(c)
    process.stdout.write(ref + '\n')
  })
}
