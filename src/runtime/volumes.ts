// Mounts requested with -v: stub until volumes land.
import type { Container } from './containers.js'

/** `--bind SRC:DST[:ro]` arguments for ducker-init. */
export function bindArgs(c: Container): string[] {
  return c.hostConfig.mounts.flatMap((m) => ['--bind', `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`])
}

/** -v specs -> mounts (named volumes are created here when missing). */
export function parseVolumes(specs: string[]): Container['hostConfig']['mounts'] {
  if (specs.length) throw new Error('-v is not implemented yet')
  return []
}

/** rm -v: delete the container's anonymous volumes, never named ones. */
export function removeAnonymousVolumes(_c: Container) { /* volumes land later */ }
