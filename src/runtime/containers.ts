// Container records: config.json under containers/<id>/, and the state
// derived on read (a recorded PID counts only while alive with the same
// start time; the exit code comes from the file ducker-init wrote).
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import { isAlive, listDir, readFileOr, startTime } from '../host/proc.js'
import { containerDir, containersDir } from '../store/paths.js'
import { readJson, writeJson } from '../store/records.js'

export type Status = 'created' | 'running' | 'exited' | 'broken'

export interface PortBinding { hostIp: string; hostPort: number; containerPort: number; proto: 'tcp' | 'udp' }
export interface Mount { type: 'bind' | 'volume'; source: string; destination: string; readOnly: boolean; name?: string; anonymous?: boolean }

export interface Container {
  id: string
  name: string
  created: string
  image: string
  imageId: string
  config: {
    cmd: string[]
    env: string[]
    workdir: string
    hostname: string
    tty: boolean
    interactive: boolean
    exposedPorts?: string[]
  }
  hostConfig: {
    autoRemove: boolean
    detach: boolean
    networkMode: string
    publish: PortBinding[]
    mounts: Mount[]
    cpus?: number
    memory?: number
    pidsLimit?: number
    capAdd?: string[]
    capDrop?: string[]
    privileged?: boolean
  }
  /** Per network: address, MAC, veth names (filled by the network module). */
  networks: Record<string, { ip: string; prefix: number; gateway: string; mac: string; veth: string; peer: string; ifname: string }>
  state: {
    status: Status
    pid?: number
    monitorPid?: number
    startTime?: string
    startedAt?: string
    finishedAt?: string
    exitCode?: number
    oomKilled?: boolean
    error?: string
  }
}

export const configFile = (id: string) => path.join(containerDir(id), 'config.json')
export const exitFile = (id: string) => path.join(containerDir(id), 'exit')
export const pidFile = (id: string) => path.join(containerDir(id), 'init.pid')
export const logFile = (id: string) => path.join(containerDir(id), 'container.log')

export function saveContainer(c: Container, why: string) {
  writeJson(configFile(c.id), c, why)
}

/** Fill in the live state: running only while the recorded init is alive. */
export function withLiveState(c: Container): Container {
  if (c.state.status === 'created') return adoptOrphan(c)
  if (c.state.status !== 'running') return c
  const pid = Number(c.state.pid)
  if (isAlive(pid, c.state.startTime)) return c
  const code = readFileOr(exitFile(c.id))
  let finishedAt = c.state.finishedAt
  try { finishedAt = fs.statSync(exitFile(c.id)).mtime.toISOString() } catch { /* never recorded */ }
  return { ...c, state: { ...c.state, status: 'exited', exitCode: code !== undefined && code.trim() !== '' ? Number(code) : 255, finishedAt } }
}

/** A ducker killed between launching a container and recording it leaves a
 * "created" record whose init is alive: recognise it by its monitor (the
 * init's parent), whose command line names this container. */
function adoptOrphan(c: Container): Container {
  const pid = Number(readFileOr(pidFile(c.id), '') || 0)
  if (!pid || readFileOr(exitFile(c.id)) !== undefined) return c
  const stat = readFileOr(`/proc/${pid}/stat`, '') ?? ''
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  if (!ppid || !(readFileOr(`/proc/${ppid}/cmdline`, '') ?? '').includes(c.id)) return c
  return { ...c, state: { ...c.state, status: 'running', pid, monitorPid: ppid, startTime: startTime(pid), startedAt: c.created } }
}

export function loadContainer(id: string): Container {
  let c: Container | undefined
  try {
    c = readJson<Container>(configFile(id))
  } catch (e) {
    return broken(id, (e as Error).message)
  }
  if (!c) throw new DuckerError(`No such container: ${id}`, 1)
  if (!c.id || !c.state) return broken(id, 'config.json lacks id or state')
  return withLiveState(c)
}

function broken(id: string, error: string): Container {
  let created = new Date(0).toISOString()
  try { created = fs.statSync(containerDir(id)).mtime.toISOString() } catch { /* gone meanwhile */ }
  // networkMode 'default': so that teardown still deletes the netns dk-<id> (and the veth with it)
  return {
    id, name: id.slice(0, 12), created, image: '?', imageId: '',
    config: { cmd: [], env: [], workdir: '/', hostname: '', tty: false, interactive: false },
    hostConfig: { autoRemove: false, detach: false, networkMode: 'default', publish: [], mounts: [] },
    networks: {}, state: { status: 'broken', error, ...brokenPid(id) },
  }
}

/** A broken record may still have a live container: its init, if the monitor
 * recorded no exit yet and that pid really is in the container's cgroup. */
function brokenPid(id: string): { pid?: number; startTime?: string } {
  if (fs.existsSync(exitFile(id))) return {}
  const pid = Number(readFileOr(pidFile(id), '') || 0)
  if (!pid || !(readFileOr(`/proc/${pid}/cgroup`, '') ?? '').includes(id)) return {}
  return { pid, startTime: startTime(pid) }
}

export function listContainers(): Container[] {
  return listDir(containersDir()).filter((d) => /^[0-9a-f]{64}$/.test(d)).flatMap((id) => {
    try { return [loadContainer(id)] } catch { return [] }
  })
}

/** By full ID, name, or unique ID prefix (Docker's order). */
export function findContainer(ref: string, all = listContainers()): Container {
  const byId = all.find((c) => c.id === ref)
  if (byId) return byId
  const byName = all.find((c) => c.name === ref || c.name === ref.replace(/^\//, ''))
  if (byName) return byName
  if (/^[0-9a-f]+$/.test(ref)) {
    const m = all.filter((c) => c.id.startsWith(ref))
    if (m.length === 1) return m[0]
    if (m.length > 1) throw new DuckerError(`multiple containers match prefix "${ref}": be more specific`, 1)
  }
  throw new DuckerError(`No such container: ${ref}`, 1)
}
