// A small subset of Go's text/template, enough for --format:
// {{.A.B}}, {{json .A}}, {{ .A }} and literal text around them.
import { DuckerError } from '../errors.js'

export function render(tpl: string, data: unknown): string {
  const out = tpl.replace(/\{\{\s*(json\s+)?(\.[A-Za-z0-9_.]*)\s*\}\}/g, (_, json: string | undefined, path: string) => {
    let v: unknown = data
    for (const key of path.split('.').filter(Boolean)) {
      if (v === null || typeof v !== 'object' || !(key in (v as object))) {
        throw new DuckerError(`template: can't evaluate field ${key} in ${path}`, 125)
      }
      v = (v as Record<string, unknown>)[key]
    }
    if (json) return JSON.stringify(v)
    if (v === null || v === undefined) return '<no value>'
    if (Array.isArray(v)) return `[${v.join(' ')}]`
    if (typeof v === 'object') return `map[${Object.entries(v as object).map(([k, x]) => `${k}:${x}`).join(' ')}]`
    return String(v)
  })
  if (/\{\{/.test(out)) throw new DuckerError(`template: unsupported expression in "${tpl}"`, 125)
  return out
}
