import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { findContainer, logFile } from '../runtime/containers.js'
import { execArgv } from '../runtime/lifecycle.js'

interface ExecFlags { interactive?: boolean; tty?: boolean; detach?: boolean; env?: string[]; workdir?: string }

export default async function exec(ref: string, command: string[], f: ExecFlags): Promise<number> {
  if (command[0] === '--') command = command.slice(1)
  const c = findContainer(ref)
  if (c.state.status !== 'running') throw new DuckerError(`container ${ref} is not running`, 1)
  if (f.workdir !== undefined && !f.workdir.startsWith('/')) throw new DuckerError(`the working directory '${f.workdir}' is invalid, it needs to be an absolute path`, 125)
  const argv = execArgv(c, command, { env: f.env ?? [], workdir: f.workdir })
  const why = 'join the container\'s namespaces (mount, uts, ipc, net, pid) and run the command there'
  if (f.detach) {
    host.detached(argv, why, { log: logFile(c.id), pidVar: 'EXEC_PID' })
    return 0
  }
  return host.foreground(argv, why, { statusVar: 'STATUS', stdio: [f.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'] })
}
