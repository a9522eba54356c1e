// The container's root filesystem: an OverlayFS of the image layers (read
// only, shared) under the container's own upper dir (its writes).
import fs from 'node:fs'
import path from 'node:path'
import * as host from '../host/gateway.js'
import { containerDir, layersDir } from '../store/paths.js'
import { layerLink, type ImageConfig } from './images.js'
import { shq } from '../host/shell.js'

export const mergedDir = (id: string) => path.join(containerDir(id), 'merged')

export function isMounted(dir: string): boolean {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8')
  return mounts.split('\n').some((l) => l.split(' ')[4] === dir)
}

export function mountRootfs(id: string, image: ImageConfig) {
  const dir = containerDir(id)
  const merged = mergedDir(id)
  if (!host.isDry() && isMounted(merged)) return
  // Topmost layer first; relative short links, resolved from layers/, keep
  // the option string far below the one-page limit even for 60+ layers.
  const lower = [...image.layers].reverse().map(layerLink).join(':')
  const opts = `lowerdir=${lower},upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`
  host.run(['mount', '-t', 'overlay', 'overlay', '-o', opts, merged],
    'stack the image layers (read-only) under the container\'s own upper dir: copy-on-write', { cwd: layersDir() })
}

export function unmountRootfs(id: string) {
  const merged = mergedDir(id)
  // The script cannot know whether the monitor's on-exit hook got there first.
  if (host.isDry()) host.scriptOnly(`! mountpoint -q ${shq(merged)} || umount ${shq(merged)}`, 'take the container\'s root filesystem down (if still mounted)')
  else if (isMounted(merged)) host.run(['umount', merged], 'take the container\'s root filesystem down')
}
