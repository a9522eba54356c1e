// The layout of the data root (DUCKER_ROOT, default /var/lib/ducker).
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = () => process.env.DUCKER_ROOT || '/var/lib/ducker'
export const containersDir = () => path.join(root(), 'containers')
export const containerDir = (id: string) => path.join(containersDir(), id)
export const imagesDir = () => path.join(root(), 'images')
export const imageDir = (id: string) => path.join(imagesDir(), id)
export const layersDir = () => path.join(root(), 'layers')
export const layerDir = (diffId: string) => path.join(layersDir(), diffId)
export const volumesDir = () => path.join(root(), 'volumes')
export const netsDir = () => path.join(root(), 'nets')
export const lockFile = (name: string) => path.join(root(), 'locks', `${name}.lock`)

/** The project directory (where dist/, assets/ and helpers/ live). */
export const projectDir = () => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const initBinary = () => process.env.DUCKER_INIT || path.join(projectDir(), 'dist', 'ducker-init')
export const assetsDir = () => process.env.DUCKER_ASSETS || path.join(projectDir(), 'assets')
export const cliEntry = () => path.join(projectDir(), 'dist', 'src', 'cli.js')
