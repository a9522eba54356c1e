// Adding images and moving tags. A tag names one image at a time: giving
// it to a new image takes it from the old one (which stays, untagged).
import fs from 'node:fs'
import path from 'node:path'
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import { imageDir, imagesDir, lockFile } from '../store/paths.js'
import { readJson, writeJson } from '../store/records.js'
import { imageIdOf, listImages, normalizeRef, saveImage, type ImageConfig } from './images.js'

/** Store an image (content-addressed) and give it these tags. */
export function addImage(body: Omit<ImageConfig, 'id' | 'repoTags'>, tags: string[], why: string): ImageConfig {
  const names = tags.map(normalizeRef)
  return withLock(lockFile('images'), () => {
    host.mkdir(imagesDir(), 'the image store')
    const id = imageIdOf({ ...body, repoTags: [] })
    const existing = readJson<ImageConfig>(path.join(imageDir(id), 'config.json'))
    const img: ImageConfig = { id, ...body, repoTags: [...new Set([...(existing?.repoTags ?? []), ...names])] }
    untagOthers(id, names)
    if (!existing || img.repoTags.length !== existing.repoTags.length) saveImage(img, why)
    return img
  })
}

function untagOthers(id: string, names: string[]) {
  for (const other of listImages()) {
    if (other.id === id || !other.repoTags.some((t) => names.includes(t))) continue
    other.repoTags = other.repoTags.filter((t) => !names.includes(t))
    writeJson(path.join(imageDir(other.id), 'config.json'), other, `the tag moves to the new image; ${other.id.slice(0, 12)} keeps its layers`)
  }
}

export function setTags(img: ImageConfig, tags: string[], why: string) {
  img.repoTags = tags
  writeJson(path.join(imageDir(img.id), 'config.json'), img, why)
}

export function deleteImageRecord(img: ImageConfig) {
  if (fs.existsSync(imageDir(img.id))) host.remove(imageDir(img.id), 'delete the image record (its layers go if no other image uses them)')
}

/** Give an existing image more tags (taking them from other images). */
export function tagImage(img: ImageConfig, tags: string[], why: string): ImageConfig {
  const names = tags.map(normalizeRef)
  return withLock(lockFile('images'), () => {
    untagOthers(img.id, names)
    const now = readJson<ImageConfig>(path.join(imageDir(img.id), 'config.json')) ?? img
    setTags(now, [...new Set([...now.repoTags, ...names])], why)
    return now
  })
}
