// Read-only commands under --dry-run: there is nothing to script, so say so
// (on stderr; stdout still gets the empty, runnable script). host.isDry()
// sees --dry-run before or after the verb alike.
import * as host from '../host/gateway.js'

export function nothingToShow(what: string): boolean {
  if (!host.isDry()) return false
  process.stderr.write(`ducker: ${what} only reads state; --dry-run has nothing to show\n`)
  return true
}
