import { loadVolume, type Volume } from '../runtime/volumes.js'
import { nothingToShow } from './read-only.js'

export const volumeView = (v: Volume) => ({
  CreatedAt: v.created, Driver: 'local', Labels: Object.keys(v.labels ?? {}).length ? v.labels : null,
  Mountpoint: v.mountpoint, Name: v.name, Options: null, Scope: 'local',
})

export default function volumeInspect(names: string[]) {
  if (nothingToShow('volume inspect')) return
  const out: unknown[] = []
  let failed = false
  for (const n of names) {
    const v = loadVolume(n)
    if (v) out.push(volumeView(v))
    else { failed = true; process.stderr.write(`ducker: No such volume: ${n}\n`) }
  }
  process.stdout.write(JSON.stringify(out, null, 4) + '\n')
  return failed ? 1 : 0
}
