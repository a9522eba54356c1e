import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { createNetwork } from '../runtime/bridges.js'

export default function networkCreate(name: string, f: { subnet?: string; gateway?: string; ipRange?: string; driver?: string }) {
  try {
    const n = createNetwork({ name, subnet: f.subnet, gateway: f.gateway, ipRange: f.ipRange, driver: f.driver })
    if (!host.isDry()) process.stdout.write(n.id + '\n')
    return 0
  } catch (e) {
    // Docker reports bad network options as a daemon error: exit 1.
    if (e instanceof DuckerError && e.exitCode === 125 && !/failed \(exit/.test(e.message)) e.exitCode = 1
    throw e
  }
}
