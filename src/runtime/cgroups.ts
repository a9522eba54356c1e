// Control groups: stub until the limits work lands; no cgroup is created.
import type { Container } from './containers.js'

/** Create the container's cgroups, write limits; return dirs the init joins. */
export function setupCgroups(_c: Container): string[] { return [] }
export function removeCgroups(_c: Container) { /* nothing yet */ }
/** argv prefix that runs a command inside the container's cgroups (exec). */
export function cgroupExecPrefix(_c: Container): string[] { return [] }

/** --cpus: a positive number of cores, at most the machine's. */
export function parseCpus(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  throw new Error('--cpus is not implemented yet')
}
/** -m/--memory with b/k/m/g suffix, in bytes. */
export function parseMemory(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  throw new Error('--memory is not implemented yet')
}
export function parsePidsLimit(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  throw new Error('--pids-limit is not implemented yet')
}
