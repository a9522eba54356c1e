// Duckerfile parsing: pure (no I/O), unit-tested. Lines, comments and
// backslash continuations become instructions with their line numbers;
// words are split and $VARs expanded the way Docker's shell lexer does.
import { DuckerError } from '../errors.js'

export type Op = 'FROM' | 'RUN' | 'COPY' | 'ENV' | 'WORKDIR' | 'EXPOSE' | 'CMD' | 'LABEL' | 'ARG'
export const OPS: Op[] = ['FROM', 'RUN', 'COPY', 'ENV', 'WORKDIR', 'EXPOSE', 'CMD', 'LABEL', 'ARG']
const UNSUPPORTED: Record<string, string> = {
  ENTRYPOINT: 'ENTRYPOINT is not supported (use CMD)',
  USER: 'USER is not supported: ducker runs containers as root',
  ADD: 'ADD is not supported (use COPY)',
  VOLUME: 'VOLUME is not supported (use run -v)',
  HEALTHCHECK: 'HEALTHCHECK is not supported', SHELL: 'SHELL is not supported', ONBUILD: 'ONBUILD is not supported',
  STOPSIGNAL: 'STOPSIGNAL is not supported', MAINTAINER: 'MAINTAINER is not supported (use LABEL)',
}

export interface Instruction {
  line: number
  op: Op
  /** Everything after the instruction name, continuations joined. */
  args: string
  /** RUN/CMD: exec form when the args are a JSON array. */
  exec?: string[]
  /** COPY --chown=... */
  chown?: string
  /** The instruction as written (for history and cache keys). */
  text: string
}

export const lineError = (line: number, msg: string, hint?: string) => new DuckerError(`Duckerfile line ${line}: ${msg}`, 1, hint)

/** Split a Duckerfile into instructions. Throws naming the line. */
export function parseDuckerfile(src: string): Instruction[] {
  const lines = src.replace(/\r\n/g, '\n').split('\n')
  const out: Instruction[] = []
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1
    let text = ''
    let l = lines[i]
    if (/^\s*(#.*)?$/.test(l)) continue
    // Join continuations; comment lines inside a continuation are dropped.
    while (/\\\s*$/.test(l)) {
      text += l.replace(/\\\s*$/, '')
      do { i++ } while (i < lines.length && /^\s*#/.test(lines[i]))
      if (i >= lines.length) { l = ''; break }
      l = lines[i]
    }
    text = (text + l).trim()
    if (!text) continue
    const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!
    const name = m[1].toUpperCase()
    const args = m[2].trim()
    if (UNSUPPORTED[name]) throw lineError(first, UNSUPPORTED[name])
    if (!OPS.includes(name as Op)) throw lineError(first, `unknown instruction: ${m[1]}`, `ducker knows ${OPS.join(', ')}`)
    out.push(check({ line: first, op: name as Op, args, text: `${name} ${args}` }))
  }
  const firstReal = out.findIndex((x) => x.op !== 'ARG')
  if (firstReal < 0 || out[firstReal].op !== 'FROM') {
    throw lineError(firstReal < 0 ? 1 : out[firstReal].line, 'no FROM instruction before the first step', 'a Duckerfile starts with FROM alpine (or a local image)')
  }
  const extra = out.find((x, i) => x.op === 'FROM' && i !== firstReal)
  if (extra) throw lineError(extra.line, 'multi-stage builds (a second FROM) are not supported')
  return out
}

function check(ins: Instruction): Instruction {
  const { op, args, line } = ins
  const need = (ok: boolean, what: string) => { if (!ok) throw lineError(line, `${op} ${what}`) }
  switch (op) {
    case 'RUN': case 'CMD': {
      need(args.length > 0, 'needs a command')
      if (args.startsWith('[')) ins.exec = jsonArray(args, ins)
      if (ins.exec) need(ins.exec.length > 0, 'needs a command')
      break
    }
    case 'COPY': {
      let rest = args
      for (;;) {
        const f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)
        if (!f) break
        if (f[1] !== 'chown') throw lineError(line, `COPY --${f[1]} is not supported (only --chown)`)
        need(!!f[2], 'needs --chown=USER[:GROUP]')
        ins.chown = f[2]
        rest = rest.slice(f[0].length)
      }
      const w = rest.startsWith('[') ? jsonArray(rest, ins) : words(rest, {}, line)
      need(w.length >= 2, 'needs at least one source and a destination')
      ins.exec = rest.startsWith('[') ? w : undefined
      ins.args = rest
      break
    }
    case 'FROM': {
      const w = words(args, {}, line)
      need(w.length === 1 || (w.length === 3 && w[1].toUpperCase() === 'AS'), 'takes one image (FROM alpine)')
      break
    }
    case 'ENV': case 'LABEL':
      pairs(args, {}, ins)
      break
    case 'ARG':
      need(/^[A-Za-z_][A-Za-z0-9_]*(=.*)?$/.test(args), 'takes NAME or NAME=default')
      break
    case 'WORKDIR':
      need(words(args, {}, line).length === 1, 'takes one path')
      break
    case 'EXPOSE':
      need(words(args, {}, line).length > 0, 'needs a port (EXPOSE 8080 or 8080/udp)')
      break
  }
  return ins
}

function jsonArray(s: string, ins: Instruction): string[] {
  let v: unknown
  try { v = JSON.parse(s) } catch (e) {
    throw lineError(ins.line, `${ins.op}: malformed JSON array: ${s}`, 'use ["executable", "arg"] with double quotes, or the shell form without brackets')
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw lineError(ins.line, `${ins.op}: the JSON form must be an array of strings`)
  return v
}

/** KEY=VALUE pairs (or the legacy `KEY value` form) with expansion. */
export function pairs(args: string, vars: Record<string, string>, ins: Pick<Instruction, 'line' | 'op'>): [string, string][] {
  const first = /^([^\s=]+)(\s+|$)/.exec(args)
  if (first && !args.slice(0, first[1].length).includes('=')) {
    // `ENV KEY some value`: the rest of the line is the value.
    const value = args.slice(first[0].length)
    if (!value) throw lineError(ins.line, `${ins.op} ${first[1]} needs a value (${ins.op} KEY=value)`)
    return [[first[1], words(value, vars, ins.line).join(' ')]]
  }
  return words(args, vars, ins.line).map((w) => {
    const eq = w.indexOf('=')
    if (eq <= 0) throw lineError(ins.line, `${ins.op}: "${w}" is not KEY=value`)
    return [w.slice(0, eq), w.slice(eq + 1)]
  })
}

/**
 * Split into words honouring quotes and backslashes, expanding $VAR,
 * ${VAR}, ${VAR:-default} and ${VAR:+alt} (not inside single quotes).
 */
export function words(s: string, vars: Record<string, string>, line: number): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (/\s/.test(c)) {
      if (inWord) { out.push(cur); cur = ''; inWord = false }
      continue
    }
    inWord = true
    if (c === '\\' && i + 1 < s.length) { cur += s[++i]; continue }
    if (c === "'") {
      const end = s.indexOf("'", i + 1)
      if (end < 0) throw lineError(line, `unterminated single quote in: ${s}`)
      cur += s.slice(i + 1, end); i = end; continue
    }
    if (c === '"') {
      let j = i + 1
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$'.includes(s[j + 1])) { cur += s[++j]; continue }
        if (s[j] === '$') { const r = dollar(s, j, vars, line); cur += r.value; j = r.end; continue }
        cur += s[j]
      }
      if (j >= s.length) throw lineError(line, `unterminated double quote in: ${s}`)
      i = j; continue
    }
    if (c === '$') { const r = dollar(s, i, vars, line); cur += r.value; i = r.end; continue }
    cur += c
  }
  if (inWord) out.push(cur)
  return out
}

function dollar(s: string, i: number, vars: Record<string, string>, line: number): { value: string; end: number } {
  const simple = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i))
  if (simple) return { value: vars[simple[1]] ?? '', end: i + simple[0].length - 1 }
  if (s[i + 1] === '{') {
    const close = s.indexOf('}', i)
    if (close < 0) throw lineError(line, `missing } in: ${s}`)
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])(.*))?$/.exec(s.slice(i + 2, close))
    if (!m) throw lineError(line, `bad substitution: ${s.slice(i, close + 1)}`)
    const v = vars[m[1]]
    const value = m[2] === '-' ? (v ? v : m[3]) : m[2] === '+' ? (v ? m[3] : '') : v ?? ''
    return { value, end: close }
  }
  return { value: '$', end: i }
}

/** Validate an EXPOSE port after expansion: 8080, 8080/tcp, 53/udp. */
export function exposePort(p: string, line: number): string {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(p)
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw lineError(line, `EXPOSE: invalid port "${p}"`, 'a port 1-65535, optionally /tcp or /udp')
  return `${Number(m[1])}/${(m[2] ?? 'tcp').toLowerCase()}`
}
