import { connect } from '../runtime/network.js'

export default function networkConnect(network: string, container: string) {
  connect(network, container)
  return 0
}
