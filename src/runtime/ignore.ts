// .duckerignore (Docker's .dockerignore syntax) and COPY globs. Pure
// matching on '/'-separated relative paths; unit-tested.

/** A glob (`*`, `?`, `[a-z]`, `**`) as a RegExp over a whole relative path. */
export function globRegex(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*' && pattern[i + 1] === '*') {
      i++
      if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?' } else re += '.*'
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) { re += '\\['; continue }
      let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\')
      if (cls.startsWith('!') || cls.startsWith('^')) cls = '^' + cls.slice(1)
      re += `[${cls}]`
      i = end
    } else if (c === '\\' && i + 1 < pattern.length) re += escape(pattern[++i])
    else re += escape(c)
  }
  return new RegExp(`^${re}$`)
}
const escape = (c: string) => c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')
export const hasGlob = (p: string) => /[*?[]/.test(p)

/** Clean a path like Go's filepath.Clean, relative, no leading ./ or /. */
export function clean(p: string): string {
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else out.push('..') } else out.push(part)
  }
  return out.join('/') || '.'
}

export interface IgnoreRule { re: RegExp; negate: boolean; pattern: string }

export function parseIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  for (let line of text.split(/\r?\n/)) {
    line = line.trim()
    if (!line || line.startsWith('#')) continue
    const negate = line.startsWith('!')
    if (negate) line = line.slice(1).trim()
    const pattern = clean(line.replace(/^\/+/, ''))
    if (pattern === '.') continue
    rules.push({ re: globRegex(pattern), negate, pattern })
  }
  return rules
}

/** Is this context path excluded? The last matching rule wins; a match on a parent dir counts. */
export function isIgnored(rel: string, rules: IgnoreRule[]): boolean {
  let ignored = false
  const parts = rel.split('/')
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  for (const r of rules) {
    if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate
  }
  return ignored
}
