// The layout of the data root (DUCKER_ROOT, default /var/lib/ducker).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckerError } from '../errors.js'
import { isDry } from '../host/gateway.js'

export const root = () => process.env.DUCKER_ROOT || '/var/lib/ducker'
export const containersDir = () => path.join(root(), 'containers')
// IDs become paths: only 64 hex digits ever do (no '..', no '/', from a CLI argument or a tampered record).
// (A --dry-run script names IDs it computes at run time as ${VAR}: allowed then only.)
const checkedId = (id: string, what: string) => {
  if (!/^[0-9a-f]{64}$/.test(id) && !(isDry() && /^@@DUCKER_VAR_[A-Z0-9_]+@@$/.test(id))) throw new DuckerError(`invalid ${what} ID: ${JSON.stringify(String(id).slice(0, 80))}`, 125)
  return id
}
export const containerDir = (id: string) => path.join(containersDir(), checkedId(id, 'container'))
export const imagesDir = () => path.join(root(), 'images')
export const imageDir = (id: string) => path.join(imagesDir(), checkedId(id, 'image'))
export const layersDir = () => path.join(root(), 'layers')
export const layerDir = (diffId: string) => path.join(layersDir(), checkedId(diffId, 'layer'))
export const volumesDir = () => path.join(root(), 'volumes')
export const netsDir = () => path.join(root(), 'nets')
export const lockFile = (name: string) => path.join(root(), 'locks', `${name}.lock`)

/** The project directory (where dist/, assets/ and helpers/ live): the
 * nearest one up holding package.json, so this works from tsc's output
 * (dist/src/store/) and from the bundle (dist/ or dist/chunks/) alike. */
let project: string | undefined
export function projectDir(): string {
  if (project) return project
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir)
  return (project = dir)
}
export const initBinary = () => process.env.DUCKER_INIT || path.join(projectDir(), 'dist', 'ducker-init')
export const assetsDir = () => process.env.DUCKER_ASSETS || path.join(projectDir(), 'assets')
/** What the on-exit hook runs: the bundle (fast start), else tsc's output. */
export function cliEntry(): string {
  const bundle = path.join(projectDir(), 'dist', 'ducker.mjs')
  return fs.existsSync(bundle) ? bundle : path.join(projectDir(), 'dist', 'src', 'cli.js')
}
