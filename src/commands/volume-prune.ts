import * as host from '../host/gateway.js'
import { listContainers } from '../runtime/containers.js'
import { listVolumes, removeVolume, usersOf } from '../runtime/volumes.js'
import { du } from '../runtime/stats.js'
import { humanSize } from '../ui.js'

/** Remove every volume no container (running or stopped) refers to. */
export default function volumePrune() {
  const all = listContainers()
  const gone: string[] = []
  let bytes = 0
  for (const v of listVolumes()) {
    if (usersOf(v.name, all).length) continue
    if (!host.isDry()) bytes += du(v.mountpoint)
    removeVolume(v.name)
    gone.push(v.name)
  }
  if (host.isDry()) return 0 // stdout is the script
  process.stdout.write(`${gone.length ? `Deleted Volumes:\n${gone.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(bytes)}\n`)
  return 0
}
