// Bundle the CLI (tsc's output, already type-checked) into dist/ducker.mjs:
// one file for the hot path instead of ~30 module loads, each of which costs
// Node's ESM loader a resolve + read + compile. Command modules are code-split
// into dist/chunks/ so `ps` does not compile `load`'s tar parser.
// Usage: node scripts/bundle.mjs [--inline]   (inline: no splitting, one file)
import { build } from 'esbuild'
import fs from 'node:fs'

const inline = process.argv.includes('--inline')
fs.rmSync('dist/chunks', { recursive: true, force: true })
await build({
  entryPoints: { ducker: 'dist/src/cli.js' },
  bundle: true,
  splitting: !inline,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // (cli.ts's shebang is kept.) commander is CommonJS: its require('node:events') needs a real require.
  banner: { js: "import { createRequire as __ducker_cr } from 'node:module'; const require = __ducker_cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
})
fs.chmodSync('dist/ducker.mjs', 0o755)
