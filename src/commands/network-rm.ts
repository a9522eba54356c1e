import { removeNetwork } from '../runtime/bridges.js'
import { attachedTo } from '../runtime/network.js'
import { eachArg } from './each.js'

export default function networkRm(refs: string[]) {
  return eachArg(refs, (ref) => {
    removeNetwork(ref, attachedTo)
    process.stdout.write(ref + '\n')
  })
}
