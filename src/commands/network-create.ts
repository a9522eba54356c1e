import { createNetwork } from '../runtime/bridges.js'
import * as host from '../host/gateway.js'

export default function networkCreate(name: string, f: { subnet?: string; gateway?: string; ipRange?: string; driver?: string }) {
  const n = createNetwork({ name, subnet: f.subnet, gateway: f.gateway, ipRange: f.ipRange, driver: f.driver })
  if (!host.isDry()) process.stdout.write(n.id + '\n')
  return 0
}
