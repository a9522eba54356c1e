import { DuckerError } from '../errors.js'
import { findContainer, type Container } from '../runtime/containers.js'
import { findImage, type ImageConfig } from '../runtime/images.js'
import { render } from '../runtime/template.js'
import { portsText } from './ps.js'
import { nothingToShow } from './read-only.js'

export function containerView(c: Container) {
  const nets = Object.entries(c.networks)
  const first = nets[0]?.[1]
  return {
    Id: c.id,
    Name: '/' + c.name,
    Created: c.created,
    Path: c.config.cmd[0],
    Args: c.config.cmd.slice(1),
    State: {
      Status: c.state.status, Running: c.state.status === 'running', Pid: c.state.status === 'running' ? Number(c.state.pid) : 0,
      ExitCode: c.state.exitCode ?? 0, StartedAt: c.state.startedAt ?? '0001-01-01T00:00:00Z', FinishedAt: c.state.finishedAt ?? '0001-01-01T00:00:00Z',
      OOMKilled: !!c.state.oomKilled, Error: c.state.error ?? '',
    },
    Image: 'sha256:' + c.imageId,
    Config: { Hostname: c.config.hostname, Image: c.image, Cmd: c.config.cmd, Env: c.config.env, WorkingDir: c.config.workdir, Tty: c.config.tty, OpenStdin: c.config.interactive, ExposedPorts: Object.fromEntries((c.config.exposedPorts ?? []).map((p) => [p, {}])) },
    HostConfig: {
      AutoRemove: c.hostConfig.autoRemove, NetworkMode: c.hostConfig.networkMode,
      NanoCpus: Math.round((c.hostConfig.cpus ?? 0) * 1e9), Memory: c.hostConfig.memory ?? 0, PidsLimit: c.hostConfig.pidsLimit ?? 0,
      PortBindings: Object.fromEntries(c.hostConfig.publish.map((p) => [`${p.containerPort}/${p.proto}`, [{ HostIp: p.hostIp, HostPort: String(p.hostPort) }]])),
      Binds: c.hostConfig.mounts.filter((m) => m.type === 'bind').map((m) => `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`),
      CapAdd: c.hostConfig.capAdd ?? null, CapDrop: c.hostConfig.capDrop ?? null, Privileged: !!c.hostConfig.privileged,
    },
    Mounts: c.hostConfig.mounts.map((m) => ({ Type: m.type, Name: m.name, Source: m.source, Destination: m.destination, RW: !m.readOnly })),
    NetworkSettings: {
      IPAddress: first?.ip ?? '', Gateway: first?.gateway ?? '', MacAddress: first?.mac ?? '', Ports: portsText(c),
      Networks: Object.fromEntries(nets.map(([n, v]) => [n, { IPAddress: v.ip, IPPrefixLen: v.prefix, Gateway: v.gateway, MacAddress: v.mac }])),
    },
  }
}

export function imageView(i: ImageConfig) {
  return {
    Id: 'sha256:' + i.id, RepoTags: i.repoTags, Created: i.created, Comment: i.comment ?? '',
    Config: { Env: i.config.env, Cmd: i.config.cmd, WorkingDir: i.config.workdir, Entrypoint: i.config.entrypoint ?? null, ExposedPorts: Object.fromEntries(i.config.exposedPorts.map((p) => [p, {}])) },
    RootFS: { Type: 'layers', Layers: i.layers },
    History: i.history,
  }
}

export default function inspect(refs: string[], f: { format?: string }) {
  if (nothingToShow('inspect')) return
  const out: unknown[] = []
  let failed = false
  for (const ref of refs) {
    try {
      out.push(containerView(findContainer(ref)))
    } catch (e) {
      if (!(e instanceof DuckerError)) throw e
      const img = /^No such container/.test(e.message) ? findImageQuiet(ref) : undefined
      if (img) out.push(imageView(img))
      else { failed = true; process.stderr.write(`ducker: ${/^No such container/.test(e.message) ? `No such object: ${ref}` : e.message}\n`) }
    }
  }
  if (f.format !== undefined) process.stdout.write(out.map((o) => render(f.format!, o) + '\n').join(''))
  else process.stdout.write(JSON.stringify(out, null, 4) + '\n')
  return failed ? 1 : 0
}

function findImageQuiet(ref: string) {
  try { return findImage(ref) } catch { return undefined }
}
