// Walkthroughs: YAML files under lessons/, parsed with the yaml package and
// validated so that a malformed lesson names its file and the bad field.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import { projectDir } from '../store/paths.js'

export interface Step {
  title: string
  /** A short explanation, shown before the command runs. */
  explain: string
  /** The ducker command line (without `ducker`); run with --explain. */
  ducker?: string
  /** The exit code the ducker command should end with (default 0). */
  expect?: number
  /** Host shell commands to look at the result. */
  look?: string[]
  /** Shell commands that undo this step; run at the end, newest first. */
  cleanup?: string[]
}

export interface Lesson {
  name: string
  title: string
  summary: string
  steps: Step[]
  file: string
}

export const lessonsDir = () => process.env.DUCKER_LESSONS || path.join(projectDir(), 'lessons')

const STEP_KEYS = ['title', 'explain', 'ducker', 'expect', 'look', 'cleanup']
const LESSON_KEYS = ['name', 'title', 'summary', 'steps']

function fail(file: string, field: string, what: string): never {
  throw new DuckerError(`${file}: ${field}: ${what}`, 125)
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''

function strList(file: string, field: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined
  if (isStr(v)) return [v]
  if (!Array.isArray(v) || !v.every(isStr)) fail(file, field, 'expected a command or a list of commands (strings)')
  return v
}

/** Validate parsed YAML; `file` is only used in error messages. */
export function validateLesson(doc: unknown, file: string): Lesson {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail(file, '(top level)', 'expected a mapping with name, title, summary, steps')
  const d = doc as Record<string, unknown>
  for (const k of Object.keys(d)) if (!LESSON_KEYS.includes(k)) fail(file, k, `unknown field (expected one of ${LESSON_KEYS.join(', ')})`)
  for (const k of ['name', 'title', 'summary']) if (!isStr(d[k])) fail(file, k, 'required, a non-empty string')
  const base = path.basename(file).replace(/\.ya?ml$/, '')
  if (d.name !== base) fail(file, 'name', `"${d.name}" must match the file name "${base}"`)
  if (!Array.isArray(d.steps) || d.steps.length === 0) fail(file, 'steps', 'required, a non-empty list')
  const steps = d.steps.map((s: unknown, i: number): Step => {
    const at = `steps[${i}]`
    if (!s || typeof s !== 'object' || Array.isArray(s)) fail(file, at, 'expected a mapping with title, explain, ducker')
    const o = s as Record<string, unknown>
    for (const k of Object.keys(o)) if (!STEP_KEYS.includes(k)) fail(file, `${at}.${k}`, `unknown field (expected one of ${STEP_KEYS.join(', ')})`)
    if (!isStr(o.title)) fail(file, `${at}.title`, 'required, a non-empty string')
    if (!isStr(o.explain)) fail(file, `${at}.explain`, 'required, a non-empty string')
    if (o.ducker !== undefined && !isStr(o.ducker)) fail(file, `${at}.ducker`, 'expected a ducker command line (a string)')
    if (o.ducker !== undefined && /^\s*ducker\b/.test(o.ducker as string)) fail(file, `${at}.ducker`, 'give the arguments only, without "ducker"')
    if (o.expect !== undefined && !(Number.isInteger(o.expect) && (o.expect as number) >= 0 && (o.expect as number) < 256)) fail(file, `${at}.expect`, 'expected an exit code (0-255)')
    if (o.expect !== undefined && o.ducker === undefined) fail(file, `${at}.expect`, 'only makes sense with a ducker command')
    const look = strList(file, `${at}.look`, o.look)
    const cleanup = strList(file, `${at}.cleanup`, o.cleanup)
    if (o.ducker === undefined && !look) fail(file, at, 'needs a ducker command or look commands')
    return { title: o.title as string, explain: (o.explain as string).trim(), ducker: o.ducker as string | undefined, expect: o.expect as number | undefined, look, cleanup }
  })
  return { name: d.name as string, title: d.title as string, summary: d.summary as string, steps, file }
}

/** Parse and validate one lesson file. */
export async function loadLessonFile(file: string): Promise<Lesson> {
  // yaml is CommonJS: bundlers may hand it over as the default export.
  const mod = await import('yaml') as typeof import('yaml') & { default?: typeof import('yaml') }
  const parse = mod.parse ?? mod.default!.parse
  let doc: unknown
  try {
    doc = parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new DuckerError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`, 125)
  }
  return validateLesson(doc, file)
}

export function lessonFiles(dir = lessonsDir()): string[] {
  let names: string[]
  try { names = fs.readdirSync(dir) } catch { throw new DuckerError(`no lessons directory at ${dir}`, 125) }
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => path.join(dir, n))
}

export async function loadLessons(dir = lessonsDir()): Promise<Lesson[]> {
  return Promise.all(lessonFiles(dir).map(loadLessonFile))
}

export async function findLesson(name: string, dir = lessonsDir()): Promise<Lesson> {
  const file = lessonFiles(dir).find((f) => path.basename(f).replace(/\.ya?ml$/, '') === name)
  if (!file) {
    const known = lessonFiles(dir).map((f) => path.basename(f).replace(/\.ya?ml$/, ''))
    throw new DuckerError(`no walkthrough named "${name}"`, 1, `one of: ${known.join(', ')}`)
  }
  return loadLessonFile(file)
}

/** `$X` / `${X}` in lesson text -> the run's values (e.g. a random suffix). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)\b/g, (m, a, b) => vars[a ?? b] ?? m)
}
