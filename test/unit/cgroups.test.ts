// cgroup layouts and limit writes against a fake cgroup root (this machine
// has no v2 controllers, so the v2 path is only checked here).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { containerGroups, detectLayout } from '../../src/runtime/cgroupfs.js'
import { cgroupExecPrefix, oomKills, removeCgroups, setupCgroups } from '../../src/runtime/cgroups.js'
import type { Container } from '../../src/runtime/containers.js'

const ID = 'f'.repeat(64)
const roots: string[] = []
const fakeRoot = () => { const r = fs.mkdtempSync(path.join(os.tmpdir(), 'ducker-cg-')); roots.push(r); return r }
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }) })
const put = (f: string, s: string) => { fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, s) }
const read = (f: string) => fs.readFileSync(f, 'utf8')

function ctr(h: Partial<Container['hostConfig']>): Container {
  return {
    id: ID, name: 'x', created: '', image: 'alpine', imageId: '',
    config: { cmd: ['true'], env: [], workdir: '/', hostname: 'x', tty: false, interactive: false },
    hostConfig: { autoRemove: false, detach: false, networkMode: 'none', publish: [], mounts: [], ...h },
    networks: {}, state: { status: 'created' },
  }
}

test('v2: controllers enabled down the tree, cpu.max / memory.max / pids.max written', () => {
  const root = fakeRoot()
  put(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n')
  put(path.join(root, 'cgroup.procs'), '')
  const l = detectLayout(root)
  assert.equal(l.kind, 'v2')
  const dirs = setupCgroups(ctr({ cpus: 1.5, memory: 256 * 1024 ** 2, pidsLimit: 100 }), l)
  const g = path.join(root, 'ducker', ID)
  assert.deepEqual(dirs, [g])
  assert.equal(read(path.join(root, 'cgroup.subtree_control')), '+cpu +memory +pids')
  assert.equal(read(path.join(root, 'ducker', 'cgroup.subtree_control')), '+cpu +memory +pids')
  assert.equal(read(path.join(g, 'cpu.max')), '150000 100000')
  assert.equal(read(path.join(g, 'memory.max')), String(256 * 1024 ** 2))
  assert.equal(read(path.join(g, 'pids.max')), '100')
  assert.deepEqual(cgroupExecPrefix(ctr({}), l), ['cgexec', '-g', `cpu,memory,pids:ducker/${ID}`])
})

test('v2: --cpus 0.5 and OOM kills read from memory.events; rm removes the group', () => {
  const root = fakeRoot()
  put(path.join(root, 'cgroup.controllers'), 'cpu memory pids\n')
  const l = detectLayout(root)
  const c = ctr({ cpus: 0.5 })
  setupCgroups(c, l)
  const g = path.join(root, 'ducker', ID)
  assert.equal(read(path.join(g, 'cpu.max')), '50000 100000')
  assert.equal(fs.existsSync(path.join(g, 'memory.max')), false, 'no limit given, no write')
  put(path.join(g, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n')
  assert.equal(oomKills(containerGroups(l, ID)), 1)
  // A real cgroupfs rmdir ignores the control files; the fake needs them gone.
  for (const f of fs.readdirSync(g)) fs.rmSync(path.join(g, f))
  removeCgroups(c, l)
  assert.equal(fs.existsSync(g), false)
  assert.equal(fs.existsSync(path.join(root, 'ducker')), true, 'the shared parent stays')
})

test('v1 per-controller and co-mounted hierarchies; hybrid takes v1 first', () => {
  const root = fakeRoot()
  for (const h of ['cpu,cpuacct', 'memory', 'pids', 'systemd']) put(path.join(root, h, 'cgroup.procs'), '')
  fs.symlinkSync('cpu,cpuacct', path.join(root, 'cpu'))
  fs.symlinkSync('cpu,cpuacct', path.join(root, 'cpuacct'))
  let l = detectLayout(root)
  assert.equal(l.kind, 'v1')
  const g = containerGroups(l, ID)
  assert.deepEqual(g.dirs, [path.join(root, 'cpu,cpuacct', 'ducker', ID), path.join(root, 'memory', 'ducker', ID), path.join(root, 'pids', 'ducker', ID)])
  setupCgroups(ctr({ cpus: 0.5, memory: 64 * 1024 ** 2, pidsLimit: 7 }), l)
  assert.equal(read(path.join(g.v1.cpu!, 'cpu.cfs_period_us')), '100000')
  assert.equal(read(path.join(g.v1.cpu!, 'cpu.cfs_quota_us')), '50000')
  assert.equal(read(path.join(g.v1.memory!, 'memory.limit_in_bytes')), String(64 * 1024 ** 2))
  assert.equal(read(path.join(g.v1.pids!, 'pids.max')), '7')
  put(path.join(root, 'unified', 'cgroup.controllers'), 'hugetlb\n')
  put(path.join(root, 'unified', 'cgroup.procs'), '')
  l = detectLayout(root)
  assert.equal(l.kind, 'hybrid')
  assert.equal(containerGroups(l, ID).v2, undefined, 'v2 offers none of ours: no v2 group')
  fs.rmSync(path.join(root, 'pids'), { recursive: true })
  put(path.join(root, 'unified', 'cgroup.controllers'), 'pids\n')
  l = detectLayout(root)
  assert.equal(containerGroups(l, ID).v2, path.join(root, 'unified', 'ducker', ID), 'pids only in v2: taken from there')
})
