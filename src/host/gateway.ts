// The one gateway to the kernel. Every action that changes the host, spawns
// a process or writes state is a *step*: the exact argv or file write plus a
// one-line why. One step type serves three modes:
//   exec     run it quietly
//   explain  print `+ <shell line>  # why` to stderr, then run it (and time it)
//   dry      run nothing; append it to a POSIX sh script printed at the end
import { spawn, spawnSync, type SpawnOptions, type StdioOptions } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import { colors } from '../ui.js'
import { addAlias, heredoc, shline, shq, varToken } from './shell.js'

export type Mode = 'exec' | 'explain' | 'dry'
let mode: Mode = 'exec'
const script: string[] = []
const stats = { steps: 0, spawned: 0, t0: Date.now() }
const SLOW_MS = 5

export const setMode = (m: Mode) => { mode = m }
export const getMode = () => mode
export const isDry = () => mode === 'dry'
export const isExplain = () => mode === 'explain'

function announce(line: string, why: string) {
  stats.steps++
  if (mode === 'explain') {
    const k = colors()
    process.stderr.write(`${k.cyan('+')} ${k.bold(line)}  ${k.dim('# ' + why)}\n`)
  } else if (mode === 'dry') {
    script.push(`# ${why.replace(/\n/g, ' ')}`, line)
  }
}

function timed<T>(f: () => T): T {
  if (mode !== 'explain') return f()
  const t = process.hrtime.bigint()
  const r = f()
  report(t)
  return r
}

function report(t: bigint) {
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (ms >= SLOW_MS) process.stderr.write(colors().dim(`    (${ms.toFixed(0)} ms)`) + '\n')
}

/** Name a long path once (NAME=value); later steps show it as ${NAME}. */
export function alias(name: string, value: string, why: string) {
  if (mode === 'exec') return
  announce(`${name}=${shq(value)}`, why)
  addAlias(name, value)
}

/** A comment in the explain stream / dry-run script; no action. */
export function note(text: string) {
  if (mode === 'explain') process.stderr.write(colors().yellow(`# ${text}`) + '\n')
  else if (mode === 'dry') script.push(`# ${text}`)
}

export interface RunOptions {
  cwd?: string
  input?: string
  /** Do not throw on a non-zero exit; the caller reads .code. */
  allowFail?: boolean
  /** Dry run: the stdout becomes this shell variable (NAME=$(cmd)). */
  capture?: string
  env?: NodeJS.ProcessEnv
}
export interface RunResult { code: number; stdout: string; stderr: string }

function render(argv: readonly string[], o: RunOptions): string {
  let line = shline(argv)
  if (o.input !== undefined) line = `${heredocInput(o.input)}${line}`
  if (o.cwd) line = `(cd ${shq(o.cwd)} && ${line})`
  if (o.capture) line = `${o.capture}=$(${line})`
  if (o.allowFail) line += ' || true'
  return line
}
const heredocInput = (input: string) => `printf '%s' ${shq(input)} | `

/** Run a command to completion, capturing its output. */
export function run(argv: readonly string[], why: string, o: RunOptions = {}): RunResult {
  announce(render(argv, o), why)
  if (mode === 'dry') return { code: 0, stdout: o.capture ? varToken(o.capture) : '', stderr: '' }
  stats.spawned++
  const r = timed(() => spawnSync(argv[0], argv.slice(1), {
    cwd: o.cwd, input: o.input, env: o.env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
  }))
  if (r.error) throw new DuckerError(`${argv[0]}: ${r.error.message}`, 125)
  const code = r.status ?? 128 + (r.signal ? 9 : 0)
  if (code !== 0 && !o.allowFail) {
    const msg = (r.stderr || r.stdout || '').trim().split('\n')[0]
    throw new DuckerError(`${argv[0]} failed (exit ${code}): ${msg}`, 125)
  }
  return { code, stdout: r.stdout, stderr: r.stderr }
}

export interface ForegroundOptions {
  stdio?: StdioOptions
  /** Dry run: the exit status becomes this shell variable. */
  statusVar: string
  env?: NodeJS.ProcessEnv
  /** Called with the child's pid once it is spawned (exec mode only). */
  onSpawn?: (pid: number) => void
  /** Also append stdout and stderr to this file (as `docker logs` expects). */
  tee?: string
}

/** Run a command attached to our terminal; resolves with its exit status. */
export async function foreground(argv: readonly string[], why: string, o: ForegroundOptions): Promise<number> {
  if (mode === 'dry' && o.tee) {
    // POSIX sh has no `>(tee)`: the status leaves the pipe through fd 3, the
    // output goes to the terminal (fd 4) and, through tee, to the log.
    announce(`set +e; exec 4>&1\n${o.statusVar}=$( { { ${shline(argv)} 2>&1; echo $? >&3; } | tee -a ${shq(o.tee)} >&4; } 3>&1 )\nexec 4>&-; set -e`, why)
    return 0
  }
  announce(shline(argv), why)
  if (mode === 'dry') {
    script.splice(script.length - 1, 0, 'set +e')
    script.push(`${o.statusVar}=$?`, 'set -e')
    return 0
  }
  stats.spawned++
  const stdio = (o.stdio ?? ['inherit', 'inherit', 'inherit']) as StdioOptions & unknown[]
  const child = spawn(argv[0], argv.slice(1), { stdio: o.tee ? [stdio[0], 'pipe', 'pipe'] : stdio, env: o.env } as SpawnOptions)
  const log = o.tee ? fs.createWriteStream(o.tee, { flags: 'a', mode: 0o600 }) : undefined
  if (log) {
    child.stdout!.on('data', (b: Buffer) => { process.stdout.write(b); log.write(b) })
    child.stderr!.on('data', (b: Buffer) => { process.stderr.write(b); log.write(b) })
  }
  // The terminal's Ctrl-C and Ctrl-\ reach the whole process group, the
  // container included: we just outlive them. TERM and HUP sent to us by
  // name are passed on.
  const forward = (sig: NodeJS.Signals) => () => { if (sig === 'SIGTERM' || sig === 'SIGHUP') child.kill(sig) }
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const).map((s) => [s, forward(s)] as const)
  for (const [s, h] of handlers) process.on(s, h)
  if (child.pid) o.onSpawn?.(child.pid)
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new DuckerError(`${argv[0]}: ${e.message}`, 125)))
    // 'close': the exit status and the last of the piped output are in.
    child.on('close', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h)
      const status = code ?? 128 + (signal ? os.constants.signals[signal] : 0)
      if (log) log.end(() => resolve(status))
      else resolve(status)
    })
  })
}

/** Start a long-lived process in its own session, output to a log file. */
export function detached(argv: readonly string[], why: string, o: { log: string; pidVar: string; env?: NodeJS.ProcessEnv }): string {
  announce(`setsid ${shline(argv)} >>${shq(o.log)} 2>&1 </dev/null &\n${o.pidVar}=$!`, why)
  if (mode === 'dry') return varToken(o.pidVar)
  stats.spawned++
  const out = fs.openSync(o.log, 'a', 0o600)
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', out, out], env: o.env })
  fs.closeSync(out)
  child.unref()
  child.on('error', () => { /* reported below: no pid */ })
  if (!child.pid) throw new DuckerError(`could not start ${argv[0]}`, 125)
  return String(child.pid)
}

/** Write a file atomically (temp file + rename). */
export function write(file: string, content: string, why: string, o: { mode?: number; atomic?: boolean } = {}) {
  if (mode === 'dry') { announce(heredoc(file, content, o.mode), why); return }
  announce(content.length < 60 && !content.includes('\n') ? `echo ${shq(content)} > ${shq(file)}` : `cat > ${shq(file)} <<'EOF'  ... (${content.length} bytes)`, why)
  timed(() => {
    if (o.atomic === false) { fs.writeFileSync(file, content); return }
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
    fs.writeFileSync(tmp, content, { mode: o.mode ?? 0o600 })
    fs.renameSync(tmp, file)
  })
}

/** Write to a kernel file (cgroup, /proc/sys): no temp file, no rename. */
export function writeKernel(file: string, value: string, why: string) {
  announce(`echo ${shq(value)} > ${shq(file)}`, why)
  if (mode === 'dry') return
  timed(() => fs.writeFileSync(file, value))
}

export function mkdir(dir: string, why: string, dirMode = 0o700) {
  announce(`mkdir -p -m ${dirMode.toString(8)} ${shq(dir)}`, why)
  if (mode === 'dry') return
  timed(() => fs.mkdirSync(dir, { recursive: true, mode: dirMode }))
}

export function remove(target: string, why: string) {
  announce(`rm -rf ${shq(target)}`, why)
  if (mode === 'dry') return
  timed(() => fs.rmSync(target, { recursive: true, force: true }))
}

export function rmdir(dir: string, why: string) {
  announce(`rmdir ${shq(dir)}`, why)
  if (mode === 'dry') return
  try { fs.rmdirSync(dir) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e }
}

export function rename(from: string, to: string, why: string) {
  announce(`mv ${shq(from)} ${shq(to)}`, why)
  if (mode === 'dry') return
  fs.renameSync(from, to)
}

export function symlink(target: string, link: string, why: string) {
  announce(`ln -sfn ${shq(target)} ${shq(link)}`, why)
  if (mode === 'dry') return
  try { fs.unlinkSync(link) } catch { /* absent */ }
  fs.symlinkSync(target, link)
}

/** Send a signal; false if the process was already gone. */
export function signal(pid: number | string, sig: NodeJS.Signals, why: string): boolean {
  announce(`kill -${sig.replace(/^SIG/, '')} ${shq(String(pid))}${mode === 'dry' ? ' 2>/dev/null || true' : ''}`, why)
  if (mode === 'dry') return true
  try { process.kill(Number(pid), sig); return true } catch { return false }
}

/** Steps that only make sense in a script (waiting on a PID we never had). */
export function scriptOnly(line: string, why: string) {
  if (mode === 'dry') announce(line, why)
}

export function summary(): string {
  return `# ${stats.steps} steps, ${stats.spawned} processes spawned, ${Date.now() - stats.t0} ms in all`
}

export function dryScript(): string {
  return ['#!/bin/sh', '# generated by `ducker --dry-run`: run as root to do the same thing', 'set -e', ...script, ''].join('\n')
}
