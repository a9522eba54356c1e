import { listVolumes } from '../runtime/volumes.js'
import { nothingToShow } from './read-only.js'

export default function volumeLs(f: { quiet?: boolean }) {
  if (nothingToShow('volume ls')) return
  const vols = listVolumes()
  if (f.quiet) { process.stdout.write(vols.map((v) => v.name + '\n').join('')); return 0 }
  // Docker's tabwriter: minimum cell width 10, padding 3.
  const w = Math.max(10, 'DRIVER'.length + 3)
  process.stdout.write(['DRIVER'.padEnd(w) + 'VOLUME NAME', ...vols.map((v) => 'local'.padEnd(w) + v.name)].join('\n') + '\n')
  return 0
}
