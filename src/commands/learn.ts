// `ducker learn [NAME]`: list the walkthroughs, or run one step by step.
// A lesson is a teaching script, not a runtime operation: it runs ducker
// itself (with --explain) and a few host commands to look at the result,
// through zx's $ (loaded here only, so other commands do not pay for it).
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { DuckerError } from '../errors.js'
import { findLesson, loadLessons, substitute, type Lesson } from '../runtime/lessons.js'
import { cliEntry, root } from '../store/paths.js'
import { colors, table } from '../ui.js'

interface LearnFlags { yes?: boolean; dryRun?: boolean; explain?: boolean }

// Every shell a lesson runs can call `ducker` (this very build).
const PRELUDE = 'ducker() { "$DUCKER_NODE" "$DUCKER_CLI" "$@"; }\n'

export default async function learn(name: string | undefined, f: LearnFlags): Promise<number> {
  if (f.dryRun) { process.stderr.write('ducker: learn runs real commands to show them; --dry-run has nothing to show (try ducker --dry-run run ...)\n'); return 0 }
  if (!name) return list()
  return runLesson(await findLesson(name), !!f.yes)
}

async function list(): Promise<number> {
  const lessons = await loadLessons()
  process.stdout.write(table(['NAME', 'STEPS', 'WHAT YOU WILL SEE'], lessons.map((l) => [l.name, String(l.steps.length), l.title])))
  process.stdout.write('\nRun one with: ducker learn NAME   (--yes to run straight through)\n')
  return 0
}

async function runLesson(lesson: Lesson, yes: boolean): Promise<number> {
  const { $ } = await import('zx/core')
  const k = colors(process.stdout)
  const out = (s: string) => process.stdout.write(s + '\n')
  // A random suffix keeps the lesson's containers, networks and images apart
  // from the user's (and from a second run of the same lesson).
  // R is the data root; PORT a host port above 20000 for published ports;
  // T a scratch directory for the lesson's own files, removed at the end.
  const T = fs.mkdtempSync(path.join(os.tmpdir(), 'ducker-learn-'))
  const vars = { X: crypto.randomBytes(3).toString('hex'), R: root(), PORT: String(20000 + crypto.randomInt(10000)), T }
  const env = { ...process.env, ...vars, DUCKER_NODE: process.execPath, DUCKER_CLI: cliEntry() }
  const sh = async (line: string) => {
    const p = $({ stdio: ['ignore', 'inherit', 'inherit'], nothrow: true, quiet: true, verbose: false, env })`sh -c ${PRELUDE + line}`
    return (await p).exitCode ?? 1
  }

  let interrupted = false
  const onInt = () => { interrupted = true }
  process.on('SIGINT', onInt)
  const cleanups: string[][] = []
  let failed: string | undefined

  out(k.bold(`== ${lesson.title}`) + k.dim(`  (${path.basename(lesson.file)}, ${lesson.steps.length} steps)`))
  out(lesson.summary.trim())
  try {
    for (const [i, raw] of lesson.steps.entries()) {
      if (interrupted) break
      if (i > 0 && !yes && !(await waitEnter(() => { interrupted = true }))) break
      const step = { ...raw, title: substitute(raw.title, vars), explain: substitute(raw.explain, vars), ducker: raw.ducker && substitute(raw.ducker, vars) }
      out('\n' + k.bold().cyan(`-- step ${i + 1}/${lesson.steps.length}: ${step.title}`))
      out(step.explain.replace(/^/gm, '   '))
      if (step.cleanup) cleanups.push(step.cleanup.map((c) => substitute(c, vars)))
      if (step.ducker) {
        out(k.green(`\n$ ducker --explain ${step.ducker}`))
        const code = await sh(`ducker --explain ${step.ducker}`)
        const want = step.expect ?? 0
        if (code !== want) { failed = `step ${i + 1}: ducker ${step.ducker} exited ${code}, expected ${want}`; break }
        if (want !== 0) out(k.dim(`   (exit code ${code}, as expected)`))
      }
      for (const look of step.look ?? []) {
        if (interrupted) break
        const line = substitute(look, vars)
        out(k.green(`\n$ ${line}`))
        const code = await sh(line)
        if (code !== 0) { failed = `step ${i + 1}: \`${line}\` exited ${code}`; break }
      }
      if (failed) break
    }
  } finally {
    await cleanup(cleanups, sh, out, k)
    fs.rmSync(T, { recursive: true, force: true })
    process.off('SIGINT', onInt)
  }
  if (interrupted) { out(k.yellow('\ninterrupted: cleaned up')); return 130 }
  if (failed) throw new DuckerError(`walkthrough ${lesson.name} failed at ${failed}`, 1, 'its cleanup ran; the output above shows why')
  out('\n' + k.bold(`== done: ${lesson.name}`) + ' (everything it made is removed)')
  return 0
}

async function cleanup(cleanups: string[][], sh: (l: string) => Promise<number>, out: (s: string) => void, k: ReturnType<typeof colors>) {
  if (!cleanups.length) return
  // A second Ctrl-C while cleaning up would leave things behind: ignore it.
  const hold = () => out(k.yellow('(cleaning up, one moment)'))
  process.on('SIGINT', hold)
  out('\n' + k.bold('-- cleanup'))
  for (const lines of cleanups.reverse()) {
    for (const line of lines) {
      out(k.green(`$ ${line}`))
      await sh(`{ ${line}
} >/dev/null 2>&1`) // already gone is fine: quiet
    }
  }
  process.off('SIGINT', hold)
}

/** Wait for Enter; false when interrupted. End of input just goes on. */
function waitEnter(onInterrupt: () => void): Promise<boolean> {
  process.stdout.write(colors(process.stdout).dim('\n[Enter: next step, Ctrl-C: stop and clean up] '))
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, terminal: !!process.stdin.isTTY })
    let done = false
    const onSig = () => { onInterrupt(); finish(false) }
    const finish = (ok: boolean) => { if (done) return; done = true; process.off('SIGINT', onSig); rl.close(); resolve(ok) }
    process.on('SIGINT', onSig)
    rl.once('line', () => finish(true))
    rl.once('SIGINT', onSig)
    rl.once('close', () => finish(true))
  })
}
