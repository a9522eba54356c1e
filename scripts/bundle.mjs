// Bundle the CLI (tsc's output, already type-checked) into dist/ducker.mjs:
// one file for the hot path instead of ~30 module loads, each of which costs
// Node's ESM loader a resolve + read + compile. Command modules are code-split
// into dist/chunks/ (content-hashed names) so `ps` does not compile `load`'s
// tar parser or `build`'s Duckerfile parser.
// Usage: node scripts/bundle.mjs [--inline]   (inline: no splitting, one file)
import { build } from 'esbuild'
import fs from 'node:fs'
import path from 'node:path'

const inline = process.argv.includes('--inline')
const out = path.resolve('dist')
const r = await build({
  entryPoints: { ducker: 'dist/src/cli.js' },
  bundle: true,
  splitting: !inline,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: out,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // (cli.ts's shebang is kept.) commander is CommonJS: its require('node:events') needs a real require.
  banner: { js: "import { createRequire as __ducker_cr } from 'node:module'; const require = __ducker_cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
})

// Other ducker commands may be running while this rebuilds: add the new
// chunks first, then swap the entry in with a rename, and only prune chunks
// that nothing has referenced for a while.
fs.mkdirSync(path.join(out, 'chunks'), { recursive: true })
const entry = path.join(out, 'ducker.mjs')
const fresh = new Set()
for (const f of r.outputFiles) {
  if (f.path === entry) continue
  fresh.add(f.path)
  if (!fs.existsSync(f.path)) fs.writeFileSync(f.path, f.contents)
}
const main = r.outputFiles.find((f) => f.path === entry)
fs.writeFileSync(entry + '.tmp', main.contents, { mode: 0o755 })
fs.renameSync(entry + '.tmp', entry)
for (const name of fs.readdirSync(path.join(out, 'chunks'))) {
  const p = path.join(out, 'chunks', name)
  if (!fresh.has(p) && Date.now() - fs.statSync(p).mtimeMs > 10 * 60_000) fs.rmSync(p)
}
