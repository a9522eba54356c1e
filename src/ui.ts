// Colours and terminal decisions in one place, so NO_COLOR and
// non-terminal output are handled once.
import kleur from 'kleur'

export function colors(stream: NodeJS.WriteStream = process.stderr) {
  const on = !!stream.isTTY && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb'
  kleur.enabled = on
  return kleur
}

/** Left-aligned columns separated by three spaces, as docker prints tables. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] + 3))).join('').trimEnd())
    .join('\n') + '\n'
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB']
export function humanSize(bytes: number): string {
  let i = 0
  let n = bytes
  while (n >= 1000 && i < UNITS.length - 1) { n /= 1000; i++ }
  return (i === 0 ? String(n) : n.toPrecision(3).replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1')) + UNITS[i]
}

/** Docker's "2 minutes ago" style. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 1) return 'Less than a second'
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`
  const m = Math.floor(s / 60)
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`
  const h = Math.floor(m / 60)
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`
  const d = Math.floor(h / 24)
  if (d < 14) return `${d} days`
  return `${Math.floor(d / 7)} weeks`
}
