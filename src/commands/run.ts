import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { parseCpus, parseMemory, parsePidsLimit } from '../runtime/cgroups.js'
import { createContainer, removeContainer, runForeground, startDetached } from '../runtime/lifecycle.js'
import { parsePublish } from '../runtime/network.js'
import { parseVolumes } from '../runtime/volumes.js'

interface RunFlags {
  name?: string; detach?: boolean; interactive?: boolean; tty?: boolean; rm?: boolean
  env?: string[]; workdir?: string; volume?: string[]; publish?: string[]; network?: string
  cpus?: string; memory?: string; pidsLimit?: string; capAdd?: string[]; capDrop?: string[]; privileged?: boolean
}

export default async function run(image: string, command: string[], f: RunFlags): Promise<number> {
  if (command[0] === '--') command = command.slice(1)
  const { c, image: img } = createContainer({
    image, cmd: command, name: f.name, env: f.env ?? [], workdir: f.workdir,
    tty: !!f.tty, interactive: !!f.interactive, detach: !!f.detach, rm: !!f.rm,
    network: f.network, publish: parsePublish(f.publish ?? []), mounts: parseVolumes(f.volume ?? []),
    cpus: parseCpus(f.cpus), memory: parseMemory(f.memory), pidsLimit: parsePidsLimit(f.pidsLimit),
    extra: { capAdd: f.capAdd, capDrop: f.capDrop, privileged: f.privileged },
  })
  try {
    if (!f.detach) return await runForeground(c, img)
    await startDetached(c, img)
    if (!host.isDry()) process.stdout.write(c.id + '\n')
    return 0
  } catch (e) {
    // Roll back: a container that never started is not left behind with --rm;
    // without --rm it stays, as Docker keeps it (state: created/exited).
    if (f.rm || !(e instanceof DuckerError)) await removeContainer({ ...c, state: { status: 'exited' } }, true).catch(() => undefined)
    throw e
  }
}
