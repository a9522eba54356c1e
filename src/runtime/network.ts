// Networking: stub until the bridge driver lands; every container gets a
// fresh network namespace with only loopback (unshare --net).
import type { Container } from './containers.js'

/** How the launch joins the network: an argv prefix (e.g. nsenter --net=...),
 * whether unshare makes a fresh net namespace, and extra ducker-init args
 * (e.g. --bind of the generated /etc/hosts and /etc/resolv.conf). */
export interface NetLaunch { prefix: string[]; unshareNet: boolean; initArgs: string[] }

export function setupNetwork(c: Container): NetLaunch {
  if (c.hostConfig.networkMode === 'host') return { prefix: [], unshareNet: false, initArgs: [] }
  return { prefix: [], unshareNet: true, initArgs: [] }
}
export function teardownNetwork(_c: Container) { /* nothing yet */ }

/** -p specs -> port bindings (no allocation yet). */
export function parsePublish(specs: string[]): Container['hostConfig']['publish'] {
  if (specs.length) throw new Error('-p is not implemented yet')
  return []
}
