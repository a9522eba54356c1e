// Networking: stub until the bridge driver lands; every container gets a
// fresh network namespace with only loopback (unshare --net).
import type { Container } from './containers.js'

export interface NetLaunch { prefix: string[]; unshareNet: boolean }

export function setupNetwork(c: Container): NetLaunch {
  if (c.hostConfig.networkMode === 'host') return { prefix: [], unshareNet: false }
  return { prefix: [], unshareNet: true }
}
export function teardownNetwork(_c: Container) { /* nothing yet */ }

/** -p specs -> port bindings (no allocation yet). */
export function parsePublish(specs: string[]): Container['hostConfig']['publish'] {
  if (specs.length) throw new Error('-p is not implemented yet')
  return []
}
