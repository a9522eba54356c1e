import { removeNetwork } from '../runtime/bridges.js'
import { attachedTo } from '../runtime/network.js'
import { eachArg } from './each.js'
import * as host from '../host/gateway.js'

export default function networkRm(refs: string[]) {
  return eachArg(refs, (ref) => {
    removeNetwork(ref, attachedTo)
    if (!host.isDry()) process.stdout.write(ref + '\n') // stdout is the script
  })
}
