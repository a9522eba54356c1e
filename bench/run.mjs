#!/usr/bin/env node
// `make bench`: ducker vs podman side by side, same image (the Alpine
// minirootfs in assets/, imported into both), same commands, one hyperfine
// run per case. Everything runs in private roots (ducker: DUCKER_ROOT +
// its own default bridge and subnet; podman: --root/--runroot), so the real
// data roots and other users' containers are never touched, and all of it
// is removed at the end. Results: bench/results/latest.{json,md,svg}.
// Usage: node bench/run.mjs [--quick | --report]  (--report: redo md/svg/README from latest.json)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { $ } from 'zx/core'
import { chart } from './chart.mjs'

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RESULTS = path.join(PROJECT, 'bench', 'results')
const WORK = path.join(PROJECT, 'bench', 'work') // hyperfine JSON (gitignored)
const QUICK = process.argv.includes('--quick')
const RUNS = QUICK ? 5 : 30
const D = path.join(PROJECT, 'ducker')
const DROOT = '/var/lib/ducker-bench'
const PROOT = '/var/lib/ducker-bench-podman'
const PRUNROOT = '/run/ducker-bench-podman'
// podman: runc (what Debian's podman is compared with here), cgroupfs (no
// systemd manager on this machine), file events (no journald dependency).
// The ulimits: podman's default RLIMIT_NOFILE (1048576) is above this
// machine's hard limit, and runc then fails with "error setting rlimits".
const P = `podman --root ${PROOT} --runroot ${PRUNROOT} --runtime runc --cgroup-manager cgroupfs --events-backend file`
const PRUN = `${P} run --ulimit nofile=10000:10000 --ulimit nproc=1000:1000`
const PIMG = 'localhost/ducker-bench/alpine:3.20.3'
const IDLE = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'] // stops on TERM in both runtimes
const N_PS = 100, N_START = 20, N_RSS = 10

$.verbose = false
$.quiet = true

// --- setup -----------------------------------------------------------------

async function ensureTools() {
  const need = { hyperfine: 'hyperfine', podman: 'podman', runc: 'runc' }
  const missing = []
  for (const [bin, pkg] of Object.entries(need)) if ((await $`command -v ${bin}`.nothrow()).exitCode !== 0 && !fs.existsSync(`/usr/sbin/${bin}`)) missing.push(pkg)
  if (!missing.length) return
  console.log(`bench: installing ${missing.join(' ')} from Debian`)
  await $`apt-get update -qq`
  await $({ env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get install -y -qq ${missing}`
}

/** The private default subnet: the first 10.2xx.0.0/16 that no host route overlaps. */
function freeSubnet() {
  const routes = fs.readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1).map((l) => {
    const [, dst, , , , , , mask] = l.split(/\s+/)
    const n = (h) => Buffer.from(h, 'hex').readUInt32LE(0)
    return { net: n(dst) >>> 0, mask: n(mask) >>> 0 }
  }).filter((r) => r.mask !== 0)
  for (let b = 213; b < 250; b++) {
    const net = ((10 << 24) | (b << 16)) >>> 0, mask = 0xffff0000
    if (!routes.some((r) => ((net & (r.mask & mask)) >>> 0) === ((r.net & (r.mask & mask)) >>> 0))) return `10.${b}.0.0/16`
  }
  throw new Error('no free 10.x.0.0/16 for the bench network')
}

function tarball() {
  const alpine = path.join(PROJECT, 'assets', 'alpine-minirootfs-3.20.3-x86_64.tar.gz')
  if (fs.existsSync(alpine)) return alpine
  const bb = path.join(PROJECT, 'assets', 'busybox-rootfs.tar.gz')
  if (fs.existsSync(bb)) return bb
  throw new Error('no base image in assets/: run `make image` first')
}

// --- measuring ---------------------------------------------------------------

async function hyperfine(name, cmds, { runs = RUNS, warmup = 3 } = {}) {
  const json = path.join(WORK, `${name}.json`)
  console.log(`\n== ${name}`)
  await $({ stdio: ['ignore', 'inherit', 'inherit'] })`hyperfine -N --style basic -w ${warmup} -r ${runs} --export-json ${json} ${cmds}`
  return JSON.parse(fs.readFileSync(json, 'utf8')).results.map((r) => ({ median: r.median, min: r.min, max: r.max, mean: r.mean, runs: r.times.length }))
}

const words = (s) => s.split(' ')
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN)
const stat = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[Math.floor((s.length - 1) / 2)], min: s[0], max: s.at(-1), runs: s.length } }

/** Run `f` over 1..n, `par` at a time. */
async function times(n, par, f) {
  for (let i = 0; i < n; i += par) await Promise.all(Array.from({ length: Math.min(par, n - i) }, (_, k) => f(i + k)))
}

// --- cleanup -------------------------------------------------------------------

const hostLinks = async () => new Set((await $`ip -o link show`).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean))
const chainRules = async (re) => (await $`iptables-save`.nothrow()).stdout.split('\n').filter((l) => re.test(l))

async function cleanup(before) {
  console.log('\n== cleanup')
  // ducker: every container of the private root, then its bridge and rules.
  if (fs.existsSync(path.join(DROOT, 'containers'))) {
    const ids = fs.readdirSync(path.join(DROOT, 'containers'))
    for (let i = 0; i < ids.length; i += 50) await $`${D} rm -f ${ids.slice(i, i + 50)}`.nothrow()
  }
  const nets = path.join(DROOT, 'nets')
  for (const n of fs.existsSync(nets) ? fs.readdirSync(nets) : []) {
    const cfg = JSON.parse(fs.readFileSync(path.join(nets, n, 'config.json'), 'utf8'))
    if (fs.existsSync(`/sys/class/net/${cfg.bridge}`)) await $`ip link del ${cfg.bridge}`.nothrow()
    const { removeBridgeRules } = await import(path.join(PROJECT, 'dist/src/runtime/netfilter.js'))
    removeBridgeRules(cfg.bridge, cfg.subnet)
  }
  // podman: its containers and images in the private store, then the store.
  if (fs.existsSync(PROOT)) {
    await $`${words(P)} rm -a -f -t 0`.nothrow()
    await $`${words(P)} rmi -a -f`.nothrow()
  }
  for (const dir of [DROOT, PROOT, PRUNROOT]) {
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(dir + '/') || m === dir)
    for (const m of mounts.reverse()) await $`umount -l ${m}`.nothrow()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  // What podman's network backend left on the host, if it was not there before.
  if (before) {
    for (const l of await hostLinks()) if (!before.links.has(l) && /^(podman\d*|dkbench0)$/.test(l)) await $`ip link del ${l}`.nothrow()
    if (!before.netavark.length) await removeChains('NETAVARK')
    if (!before.ducker.length) await removeChains('DUCKER')
    for (const g of cgroupDirs()) if (!before.cgroups.has(g)) rmdirTree(g)
  }
}

/** podman's and ducker's cgroup parents (libpod_parent/..., ducker/) in every hierarchy. */
const cgroupDirs = () => fs.readdirSync('/sys/fs/cgroup').flatMap((h) => [`/sys/fs/cgroup/${h}/libpod_parent`, `/sys/fs/cgroup/${h}/ducker`]).filter((d) => fs.existsSync(d))
function rmdirTree(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(path.join(dir, e.name))
  try { fs.rmdirSync(dir) } catch { /* still in use */ }
}

/** Delete the NETAVARK (podman) or DUCKER chains and the jumps into them (only when the bench made them). */
async function removeChains(prefix) {
  let table = ''
  const jumps = [], chains = []
  for (const l of (await $`iptables-save`.nothrow()).stdout.split('\n')) {
    if (l.startsWith('*')) table = l.slice(1)
    else if (l.startsWith(`:${prefix}`)) chains.push([table, l.slice(1).split(' ')[0]])
    else if (/^-A /.test(l) && l.includes(`-j ${prefix}`) && !l.startsWith(`-A ${prefix}`)) jumps.push([table, l])
  }
  // iptables-save lines are shell-quoted (comments): let sh split them.
  for (const [t, l] of jumps) await $`sh -c ${`iptables -t ${t} -D ${l.slice(3)}`}`.nothrow()
  for (const [t, c] of chains) await $`iptables -t ${t} -F ${c}`.nothrow()
  for (const [t, c] of chains) await $`iptables -t ${t} -X ${c}`.nothrow()
}

// --- the cases ---------------------------------------------------------------

async function main() {
  await ensureTools()
  fs.mkdirSync(WORK, { recursive: true })
  fs.mkdirSync(RESULTS, { recursive: true })
  const subnet = freeSubnet()
  Object.assign(process.env, { DUCKER_ROOT: DROOT, DUCKER_DEFAULT_SUBNET: subnet, DUCKER_DEFAULT_BRIDGE: 'dkbench0' })
  await cleanup() // a previous run that was interrupted
  const before = { links: await hostLinks(), netavark: await chainRules(/NETAVARK/), ducker: await chainRules(/DUCKER/), cgroups: new Set(cgroupDirs()) }
  const load0 = os.loadavg()
  const res = { date: new Date().toISOString(), cases: [], floor: {} }
  try {
    console.log(`bench: ducker root ${DROOT} (bridge dkbench0, ${subnet}); podman root ${PROOT}`)
    await $`${words(P)} import ${tarball()} ${PIMG}`
    await $`${D} run --rm --network none alpine true` // imports the built-in alpine into the private root

    const add = (id, title, unit, d, p, target, met, extra = {}) => {
      const ratio = d.median / p.median
      res.cases.push({ id, title, unit, ducker: d, podman: p, ratio, target, met: met ?? null, ...extra })
    }

    // 1, 2: run --rm IMAGE true
    {
      const [d, p] = await hyperfine('1-run-bridge', [`${D} run --rm alpine true`, `${PRUN} --rm ${PIMG} true`])
      add(1, 'run --rm (bridge)', 's', d, p, '≤ 0.6', d.median / p.median <= 0.6)
    }
    {
      const layer = fs.readdirSync(path.join(DROOT, 'layers')).find((x) => /^[0-9a-f]{64}$/.test(x))
      const [d, p, node, sh] = await hyperfine('2-run-none', [`${D} run --rm --network none alpine true`, `${PRUN} --rm --network none ${PIMG} true`,
        'node -e 0', `sh ${PROJECT}/bench/floor.sh ${path.join(DROOT, 'layers', layer, 'diff')} ${path.join(DROOT, 'floor')}`])
      res.floor = { node, shell: sh, sum: node.median + sh.median }
      add(2, 'run --rm --network none', 's', d, p, '≤ 0.8', d.median / p.median <= 0.8, { floor: node.median + sh.median, overFloor: d.median / (node.median + sh.median) })
    }

    // 3: exec into a running container
    await $`${D} run -d --name dkbench-exec --network none alpine ${IDLE}`
    await $`${words(PRUN)} -d --name dkbench-exec --network none ${PIMG} ${IDLE}`
    {
      const [d, p] = await hyperfine('3-exec', [`${D} exec dkbench-exec true`, `${P} exec dkbench-exec true`])
      add(3, 'exec CONTAINER true', 's', d, p, '≤ 0.8', d.median / p.median <= 0.8)
    }

    // 6: host-side memory of idle detached containers
    {
      const dk = [], pm = []
      await times(N_RSS, 2, async (i) => {
        await $`${D} run -d --name dkbench-idle${i} --network none alpine ${IDLE}`
        await $`${words(PRUN)} -d --name dkbench-idle${i} --network none ${PIMG} ${IDLE}`
      })
      await new Promise((r) => setTimeout(r, 1000))
      for (const id of fs.readdirSync(path.join(DROOT, 'containers'))) {
        const c = JSON.parse(fs.readFileSync(path.join(DROOT, 'containers', id, 'config.json'), 'utf8'))
        if (!c.name.startsWith('dkbench-idle')) continue
        dk.push((rssKiB(c.state.monitorPid) + rssKiB(c.state.pid)) / 1024) // the monitor + PID 1 (ducker-init)
      }
      for (let i = 0; i < N_RSS; i++) pm.push(rssKiB(Number((await $`${words(P)} inspect --format {{.State.ConmonPid}} dkbench-idle${i}`).stdout.trim())) / 1024)
      const d = stat(dk), p = stat(pm)
      add(6, `host RSS per idle container`, 'MiB', d, p, '≤ podman', d.median <= p.median, { note: 'ducker: ducker-init monitor + ducker-init PID 1; podman: conmon' })
    }
    await $`${D} rm -f dkbench-exec ${Array.from({ length: N_RSS }, (_, i) => `dkbench-idle${i}`)}`
    await $`${words(P)} rm -f -t 0 dkbench-exec ${Array.from({ length: N_RSS }, (_, i) => `dkbench-idle${i}`)}`

    // 5: 20 detached starts in sequence, then one stop of all 20
    {
      const ss = path.join(PROJECT, 'bench', 'start-stop.sh')
      const [d, p] = await hyperfine('5-start-stop', [`sh ${ss} ${N_START} alpine '${D} run' '${D} stop'`, `sh ${ss} ${N_START} ${PIMG} '${PRUN}' '${P} stop'`], { runs: QUICK ? 2 : 5, warmup: 1 })
      add(5, `start ${N_START} detached + stop all`, 's', d, p, '≤ 0.7', d.median / p.median <= 0.7)
    }

    // 4: ps -a with 100 containers present (all created and exited)
    {
      console.log(`\n== creating ${N_PS} exited containers in each runtime`)
      await times(N_PS, 4, async () => {
        await $`${D} run --network none alpine true`
        await $`${words(PRUN)} --network none ${PIMG} true`
      })
      const [d, p, node] = await hyperfine('4-ps', [`${D} ps -a`, `${P} ps -a`, 'node -e 0'])
      add(4, `ps -a (${N_PS} containers)`, 's', d, p, '≤ 1.3 × node -e 0', d.median / node.median <= 1.3, { node: node.median, overNode: d.median / node.median })
    }
  } finally {
    await cleanup(before)
  }
  res.cases.sort((a, b) => a.id - b.id)
  const load1 = os.loadavg()
  res.machine = {
    kernel: os.release(), cpus: os.cpus().length, node: process.version,
    podman: (await $`podman --version`).stdout.trim(), runc: (await $`runc --version`).stdout.split('\n')[0],
    loadavg: { start: load0[0], end: load1[0] },
  }
  res.machine.summary = `${res.machine.cpus} CPUs, Linux ${res.machine.kernel}, Node ${res.machine.node}, ${res.machine.podman} + ${res.machine.runc}`
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify(res, null, 2) + '\n')
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), markdown(res))
  fs.writeFileSync(path.join(RESULTS, 'latest.svg'), chart(res))
  updateReadme(markdown(res))
  console.log('\n' + markdown(res))
}

/** Keep README.md's performance table in step: only the text between the markers changes. */
function updateReadme(md) {
  const file = path.join(PROJECT, 'README.md')
  const text = fs.readFileSync(file, 'utf8')
  const start = '<!-- bench:start (written by bench/run.mjs) -->', end = '<!-- bench:end -->'
  const a = text.indexOf(start), b = text.indexOf(end)
  if (a < 0 || b < a) return
  fs.writeFileSync(file, text.slice(0, a + start.length) + '\n' + md + text.slice(b))
}

const v = (x, unit) => unit === 's' ? `${(x * 1000).toFixed(0)} ms` : `${x.toFixed(2)} ${unit}`
const cell = (m, unit) => `${v(m.median, unit)} (${v(m.min, unit)}–${v(m.max, unit)})`

export function markdown(res) {
  const lines = [`Measured ${res.date.slice(0, 10)} on ${res.machine.summary}; load average ${res.machine.loadavg.start.toFixed(1)} at the start, ${res.machine.loadavg.end.toFixed(1)} at the end.`, '',
    '| case | ducker median (min–max) | podman median (min–max) | ducker/podman | target | met |', '| --- | --- | --- | --- | --- | --- |']
  for (const c of res.cases) {
    const got = c.id === 4 ? `${c.overNode.toFixed(2)} × node` : c.ratio.toFixed(2)
    lines.push(`| ${c.id}. ${c.title} | ${cell(c.ducker, c.unit)} | ${cell(c.podman, c.unit)} | ${c.ratio.toFixed(2)} | ${c.target}${c.id === 4 ? ` (got ${got})` : ''} | ${c.met ? 'yes' : 'no'} |`)
  }
  const f = res.floor
  if (f.node) lines.push('', `Floor for case 2: \`node -e 0\` ${v(f.node.median, 's')} + plain shell (overlay mount, unshare, pivot_root, exec) ${v(f.shell.median, 's')} = ${v(f.sum, 's')}; ducker's case 2 is ${res.cases.find((c) => c.id === 2)?.overFloor.toFixed(2)} × that floor.`)
  return lines.join('\n') + '\n'
}

/** --report: rewrite latest.md, latest.svg and the README table from latest.json. */
function report() {
  const res = JSON.parse(fs.readFileSync(path.join(RESULTS, 'latest.json'), 'utf8'))
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), markdown(res))
  fs.writeFileSync(path.join(RESULTS, 'latest.svg'), chart(res))
  updateReadme(markdown(res))
}

if (process.argv.includes('--report')) report()
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(`bench: ${e.stderr || e.message || e}`); process.exitCode = 1 })
}
