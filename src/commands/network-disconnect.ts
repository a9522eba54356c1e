import { disconnect } from '../runtime/network.js'

export default function networkDisconnect(network: string, container: string) {
  disconnect(network, container)
  return 0
}
