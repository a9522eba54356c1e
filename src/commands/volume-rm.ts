import { removeVolume } from '../runtime/volumes.js'
import { eachArg } from './each.js'
import * as host from '../host/gateway.js'

export default function volumeRm(names: string[], f: { force?: boolean }) {
  return eachArg(names, (n) => {
    removeVolume(n, !!f.force)
    if (!host.isDry()) process.stdout.write(n + '\n') // stdout is the script
  })
}
