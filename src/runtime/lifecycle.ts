// create -> start (prepare, launch) -> exit/stop -> teardown -> remove.
// Prepare everything first (rootfs, cgroups, network), then launch the
// process inside what was prepared; no sync pipe between host and container.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import { isAlive, readFileOr, sleep, startTime } from '../host/proc.js'
import { shq, varToken } from '../host/shell.js'
import { cliEntry, containerDir, containersDir, initBinary, lockFile, root } from '../store/paths.js'
import { capArgs, normalizeCaps } from './caps.js'
import { cgroupExecPrefix, removeCgroups, setupCgroups } from './cgroups.js'
import { configFile, exitFile, findContainer, listContainers, loadContainer, logFile, pidFile, saveContainer, type Container } from './containers.js'
import { DEFAULT_PATH, resolveImage, type ImageConfig } from './images.js'
import { generateName, NAME_RE, newId } from './names.js'
import { initialNetworks, setupNetwork, teardownNetwork, type NetLaunch } from './network.js'
import { mountRootfs, unmountRootfs } from './rootfs.js'
import { bindArgs, removeAnonymousVolumes } from './volumes.js'

export interface CreateOptions {
  image: string
  cmd: string[]
  name?: string
  env: string[]
  workdir?: string
  tty: boolean
  interactive: boolean
  detach: boolean
  rm: boolean
  network?: string
  publish?: Container['hostConfig']['publish']
  mounts?: Container['hostConfig']['mounts']
  cpus?: number
  memory?: number
  pidsLimit?: number
  extra?: Partial<Container['hostConfig']>
  /** The image itself (a dry-run build's step image exists only in its script). */
  imageConfig?: ImageConfig
}

/** `-e K=V` over the image env, by key; `-e K` takes the host's value. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const env = new Map(base.map((kv) => [kv.split('=')[0], kv] as const))
  for (const e of overrides) {
    const eq = e.indexOf('=')
    const key = eq < 0 ? e : e.slice(0, eq)
    if (!key || /\s/.test(key)) throw new DuckerError(`invalid environment variable: ${e}`, 125)
    if (eq >= 0) env.set(key, e)
    else if (process.env[key] !== undefined) env.set(key, `${key}=${process.env[key]}`)
  }
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH)
  return [...env.values()]
}

export function ensureRoot() {
  if (!host.isDry() && fs.existsSync(containersDir())) return
  host.mkdir(root(), 'the data root: root-only, it holds every container and image', 0o700)
  host.mkdir(containersDir(), 'one directory per container')
}

export function createContainer(o: CreateOptions): { c: Container; image: ImageConfig } {
  if (o.name !== undefined && !NAME_RE.test(o.name)) {
    throw new DuckerError(`Invalid container name (${o.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 125)
  }
  if (o.workdir !== undefined && !o.workdir.startsWith('/')) {
    throw new DuckerError(`the working directory '${o.workdir}' is invalid, it needs to be an absolute path`, 125)
  }
  const caps = { capAdd: normalizeCaps(o.extra?.capAdd), capDrop: normalizeCaps(o.extra?.capDrop) }
  ensureRoot()
  const image = o.imageConfig ?? resolveImage(o.image)
  const cmd = o.cmd.length ? o.cmd : [...(image.config.entrypoint ?? []), ...(image.config.cmd ?? [])]
  if (!cmd.length) throw new DuckerError('no command specified', 125, 'give a command after the image name')
  const id = newId()
  // Docker's defaults: HOSTNAME is the short ID, HOME is root's.
  const env = mergeEnv(['HOSTNAME=' + id.slice(0, 12), 'HOME=/root', ...image.config.env], o.env)
  const c: Container = {
    id, name: '', created: new Date().toISOString(), image: o.image, imageId: image.id,
    config: { cmd, env, workdir: o.workdir ?? (image.config.workdir || '/'), hostname: id.slice(0, 12), tty: o.tty, interactive: o.interactive, exposedPorts: image.config.exposedPorts },
    hostConfig: {
      autoRemove: o.rm, detach: o.detach, networkMode: o.network ?? 'default', publish: o.publish ?? [], mounts: o.mounts ?? [],
      cpus: o.cpus, memory: o.memory, pidsLimit: o.pidsLimit, ...o.extra, ...caps,
    },
    networks: initialNetworks(o.network),
    state: { status: 'created' },
  }
  host.alias('R', root(), 'the data root')
  host.alias('ID', id, 'the new container\'s ID (hostname: its first 12 characters)')
  host.alias('C', containerDir(id), 'the container\'s directory, used by many steps below')
  withLock(lockFile('names'), () => {
    const all = listContainers()
    if (o.name !== undefined) {
      const holder = all.find((x) => x.name === o.name)
      if (holder) throw new DuckerError(`Conflict. The container name "/${o.name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`, 125)
      c.name = o.name
    } else {
      c.name = generateName(new Set(all.map((x) => x.name)))
    }
    const dir = containerDir(id)
    host.mkdir(dir, 'the container\'s own directory: config, log, and its overlay dirs')
    for (const d of ['upper', 'work', 'merged']) host.mkdir(path.join(dir, d), `overlay ${d} dir`, 0o755)
    saveContainer(c, 'record the container (state: created)')
  })
  return { c, image }
}

/** Build the launch command: namespaces via unshare, then ducker-init. */
function launchArgv(c: Container, cgroups: string[], net: NetLaunch, onExit: string[]): string[] {
  // The net namespace is entered by ducker-init's PID 1 (--unshare-net or
  // --netns PATH in net.initArgs), so the monitor stays on the host's network.
  const argv = [...net.prefix, 'unshare', '--uts', '--ipc', '--pid', initBinary(), ...(net.unshareNet ? ['--unshare-net'] : []),
    '--rootfs', path.join(containerDir(c.id), 'merged'), '--hostname', c.config.hostname, '--workdir', c.config.workdir,
    '--exit-file', exitFile(c.id), '--pid-file', pidFile(c.id)]
  for (const e of c.config.env) argv.push('--env', e)
  for (const g of cgroups) argv.push('--cgroup', g)
  argv.push(...bindArgs(c), ...net.initArgs)
  if (c.config.tty) argv.push('--tty')
  argv.push(...capArgs(c))
  if (host.isExplain()) argv.push('--explain')
  for (const a of onExit) argv.push('--on-exit', a)
  if (onExit.length) argv.push('--on-exit-unless', stoppingFile(c.id))
  argv.push('--', ...c.config.cmd)
  return argv
}

const INIT_STEPS = 'ducker-init then: joins the cgroups, unshare --mount, mount --make-rprivate /, binds the rootfs and the volumes, mounts /proc, /dev, /dev/pts, /dev/shm and a read-only /sys, masks /proc/kcore & co. and makes /proc/sys & co. read-only, pivot_root into the rootfs and detaches the old root, sets the hostname, brings lo up, chdir to the workdir, keeps only the default capabilities of Docker (or --cap-add/--cap-drop/--privileged) and sets no_new_privs, closes stray fds, and forks the command as PID 1\'s child; it reaps zombies, forwards signals, and records the exit code'

/** Mount, cgroups, network, volumes (in launchArgv); the launch command.
 * Rolled back if any of them fails. */
function prepare(c: Container, image: ImageConfig, onExit: string[]): string[] {
  try {
    mountRootfs(c.id, image)
    const cgroups = setupCgroups(c)
    const net = setupNetwork(c)
    return launchArgv(c, cgroups, net, onExit)
  } catch (e) {
    rollback(c)
    throw e
  }
}

/** teardown() on a failure path: its own errors must not hide the first one. */
function rollback(c: Container) {
  try { teardown(c) } catch (e) { process.stderr.write(`ducker: while rolling back: ${(e as Error).message}\n`) }
}

/** Undo prepare(): idempotent, safe to call twice. */
export function teardown(c: Container) {
  const errors: string[] = []
  for (const f of [teardownNetwork, removeCgroups, (x: Container) => unmountRootfs(x.id)]) {
    try { f(c) } catch (e) { errors.push((e as Error).message) }
  }
  if (errors.length) throw new DuckerError(errors.join('; '), 125)
}

function clearRunFiles(c: Container) {
  for (const f of [exitFile(c.id), pidFile(c.id), stoppingFile(c.id)]) host.remove(f, 'forget the previous run\'s exit code and pid')
}

const stoppingFile = (id: string) => path.join(containerDir(id), 'stopping')
/** We take the container down ourselves: its monitor skips the on-exit hook. */
function markStopping(c: Container) {
  host.write(stoppingFile(c.id), '', 'ducker cleans up itself: the monitor can skip its on-exit hook', { atomic: false })
}

/** Run in the foreground: our stdio is the container's. Returns its exit code. */
export async function runForeground(c: Container, image: ImageConfig, scriptExits = true): Promise<number> {
  clearRunFiles(c)
  const argv = prepare(c, image, [])
  c.state = { status: 'running', startedAt: new Date().toISOString() }
  host.note(INIT_STEPS)
  let poll: NodeJS.Timeout | undefined
  let code: number
  try {
    code = await host.foreground(argv, 'new UTS, IPC, PID (and net) namespaces; ducker-init sets up the rest and runs the command', {
      statusVar: 'STATUS',
      stdio: [c.config.interactive || c.config.tty ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      // Without a tty the output is also kept for `ducker logs`; a tty stays
      // the container's own terminal.
      tee: c.config.tty || c.hostConfig.autoRemove ? undefined : logFile(c.id),
      onSpawn: (monitorPid) => {
        // Record the init's PID once it is up, so ps/exec/stop can find it.
        poll = setInterval(() => {
          const pid = Number(readFileOr(pidFile(c.id), '') || 0)
          if (!pid) return
          clearInterval(poll)
          c.state = { ...c.state, pid, monitorPid, startTime: startTime(pid) }
          saveContainer(c, 'record the running container\'s init PID')
        }, 5)
      },
    })
  } catch (e) {
    clearInterval(poll)
    rollback(c)
    throw e
  }
  clearInterval(poll)
  const exitCode = host.isDry() ? (varToken('STATUS') as unknown as number) : code
  await finishRun(c, exitCode)
  if (host.isDry() && scriptExits) host.scriptOnly('exit "$STATUS"', 'the container\'s exit code is ours')
  return code
}

async function finishRun(c: Container, exitCode: number) {
  withContainerLock(c.id, () => {
    teardown(c)
    if (c.hostConfig.autoRemove) { removeFiles(c); return }
    c.state = { ...c.state, status: 'exited', exitCode, finishedAt: new Date().toISOString() }
    saveContainer(c, 'record the exit code')
  })
}

/** Start detached: setsid'd unshare+ducker-init, logging to container.log. */
export async function startDetached(c: Container, image: ImageConfig): Promise<void> {
  clearRunFiles(c)
  // When the container ends, the monitor runs `ducker _exited ID` to take
  // down mounts, network and cgroups (and remove it, for --rm).
  const onExit = [process.execPath, cliEntry(), '_exited', c.id]
  const argv = prepare(c, image, onExit)
  host.note(INIT_STEPS)
  let monitor: string
  try {
    monitor = host.detached(argv, 'start the container in its own session; nothing of ducker stays behind but the tiny ducker-init monitor', {
      log: path.join(containerDir(c.id), 'container.log'), pidVar: 'MONITOR',
    })
  } catch (e) {
    rollback(c) // nothing started, so no monitor will run the on-exit hook
    throw e
  }
  let pid: number | string
  if (host.isDry()) {
    const [p, e, l] = [pidFile(c.id), exitFile(c.id), logFile(c.id)].map((f) => shq(f))
    host.scriptOnly(`while [ ! -s ${p} ] && [ ! -e ${e} ]; do sleep 0.01; done\n[ -s ${p} ] || { cat ${l} >&2; exit 125; }\nPID=$(cat ${p})\nSTART=$(sed 's/.*) //' /proc/$PID/stat | cut -d' ' -f20)`, 'wait until ducker-init reports the command started; note its start time (PIDs get reused)')
    pid = varToken('PID')
  } else {
    pid = await waitReady(c)
  }
  c.state = { status: 'running', pid: pid as number, monitorPid: monitor as unknown as number, startTime: host.isDry() ? varToken('START') : startTime(pid as number), startedAt: new Date().toISOString() }
  saveContainer(c, 'record the running container\'s init PID')
}

/** Wait for the init's pid file (started) or the exit file (failed to start). */
async function waitReady(c: Container): Promise<number> {
  const deadline = Date.now() + 15_000
  for (let wait = 1; Date.now() < deadline; wait = Math.min(wait * 2, 4)) {
    const pid = Number(readFileOr(pidFile(c.id), '') || 0)
    if (pid) return pid
    const code = readFileOr(exitFile(c.id))
    if (code !== undefined && code.trim() !== '') {
      const log = (readFileOr(logFile(c.id), '') ?? '').trim().split('\n').filter(Boolean)
      const msg = (log.at(-1) ?? 'the container failed to start').replace(/^ducker: /, '')
      const n = Number(code)
      c.state = { status: 'exited', exitCode: n, finishedAt: new Date().toISOString() }
      throw new DuckerError(msg, [126, 127].includes(n) ? n : 125)
    }
    await sleep(wait)
  }
  throw new DuckerError('timed out waiting for the container to start', 125)
}

export function withContainerLock<T>(id: string, f: () => T): T {
  return withLock(lockFile(`container-${id}`), f)
}

function removeFiles(c: Container) {
  host.remove(containerDir(c.id), 'delete everything of the container: config, log, upper and work dirs')
  if (c.hostConfig.autoRemove) removeAnonymousVolumes(c) // --rm takes its anonymous volumes along, as Docker does
}

/** The monitor's on-exit hook: take down what prepare() set up. */
export function exited(id: string) {
  withContainerLock(id, () => {
    let c: Container
    try { c = loadContainer(id) } catch { return }
    if (c.state.status === 'running') return // restarted meanwhile
    teardown(c)
    if (c.hostConfig.autoRemove) removeFiles(c)
    else if (c.state.oomKilled) saveContainer(c, 'record that the OOM killer ended it')
  })
}

export async function stopContainer(c: Container, timeoutS: number) {
  if (c.state.status !== 'running') return
  const pid = c.state.pid!
  markStopping(c)
  if (timeoutS > 0) {
    host.signal(pid, 'SIGTERM', 'ask PID 1 to stop; ducker-init forwards it to the command')
    if (host.isDry()) host.scriptOnly(`i=0; while kill -0 ${pid} 2>/dev/null && [ $i -lt ${timeoutS * 10} ]; do sleep 0.1; i=$((i+1)); done`, `give it ${timeoutS}s`)
    else await waitGone(c, timeoutS * 1000)
  }
  if (host.isDry() || isAlive(pid, c.state.startTime)) {
    host.signal(pid, 'SIGKILL', 'time is up: kill PID 1, and the kernel kills the rest of its PID namespace')
    if (!host.isDry()) await waitGone(c, 5000)
  }
  if (!host.isDry()) await waitExitFile(c)
  withContainerLock(c.id, () => {
    // --rm: the monitor's on-exit hook may have removed it already.
    const gone = !host.isDry() && !fs.existsSync(configFile(c.id))
    // Reload under the lock: a `network connect` may have changed it while we waited.
    const now = gone ? c : loadContainer(c.id)
    teardown(now)
    if (gone) return
    if (now.hostConfig.autoRemove) removeFiles(now)
    else if (now.state.status === 'exited') saveContainer(now, 'record the exit code')
  })
}

async function waitGone(c: Container, ms: number) {
  const deadline = Date.now() + ms
  while (isAlive(c.state.pid, c.state.startTime) && Date.now() < deadline) await sleep(10)
}

async function waitExitFile(c: Container) {
  const deadline = Date.now() + 2000
  while (!fs.existsSync(exitFile(c.id)) && Date.now() < deadline) await sleep(5)
}

export async function removeContainer(c: Container, force: boolean) {
  if (c.state.status === 'running' || (c.state.status === 'broken' && c.state.pid)) {
    if (!force) throw new DuckerError(`cannot remove container "${c.name}": container is running: stop the container before removing or force remove`, 1)
    markStopping(c)
    host.signal(c.state.pid!, 'SIGKILL', 'rm -f: kill PID 1 (and with it the whole PID namespace)')
    if (!host.isDry()) { await waitGone(c, 5000); await waitExitFile(c) }
  }
  withContainerLock(c.id, () => {
    teardown(c)
    removeFiles(c)
  })
}

/** Exec: join the namespaces of the running init with nsenter. */
export function execArgv(c: Container, cmd: string[], o: { env: string[]; workdir?: string }): string[] {
  const env = mergeEnv(c.config.env, o.env)
  const pid = String(c.state.pid)
  // ducker-init --enter: nsenter's joins, plus the container's capabilities and no_new_privs
  return [...cgroupExecPrefix(c), 'env', '-i', ...env, initBinary(), '--enter', pid, `--workdir=${o.workdir ?? c.config.workdir}`, ...capArgs(c), ...(host.isExplain() ? ['--explain'] : []), '--', ...cmd]
}

export { findContainer, listContainers }
