// --dry-run form of a build step's layer. After the first cache miss the
// parent image exists only when the script runs, so the script makes each
// layer itself: a stage dir (a RUN container's upper dir, whiteouts in OCI
// form, or a COPY's files laid out), tarred with GNU tar, hashed into
// ${DIFF_n}, unpacked into the store with overlay whiteouts, as
// installLayer does. Whiteouts are found when the script runs: the upper
// dir does not exist yet when it is written.
import path from 'node:path'
import * as host from '../host/gateway.js'
import { sha256FileVar } from '../host/digest.js'
import { shq } from '../host/shell.js'
import { layerDir, layersDir } from '../store/paths.js'
import { hex, layerLink } from './images.js'
import { OPQ, scratch, WH } from './layers.js'
import type { TarEntry } from './tarball.js'

/** RUN: the container's upper dir becomes layer ${DIFF_<name>}. */
export function upperLayerScript(upper: string, name: string, why: string): string {
  const work = scratch('layer')
  const stage = path.join(work, 'stage')
  host.run(['cp', '-a', upper + '/.', stage], `${why}: copy the upper dir, to turn its whiteouts into OCI form`)
  host.scriptOnly(`find ${shq(stage)} -type c | while IFS= read -r f; do [ "$(stat -c %t%T "$f")" = 00 ] || continue; w="\${f%/*}/${WH}\${f##*/}"; rm -f "$f"; : > "$w"; chmod 600 "$w"; done`,
    'each overlay whiteout (char device 0/0) becomes an empty .wh.NAME file')
  host.scriptOnly(`getfattr -R -P --absolute-names -m '^trusted\\.overlay\\.opaque$' -d ${shq(upper)} 2>/dev/null | sed -n 's/^# file: //p' | while IFS= read -r d; do o=${shq(stage)}"\${d#${shq(upper)}}/${OPQ}"; : > "$o"; chmod 600 "$o"; done`,
    'each opaque dir (overlay xattr) gets a .wh..wh..opq marker')
  return tarAndInstall(work, stage, name)
}

/** COPY (and a WORKDIR's new dirs): the planned entries, laid out in a stage dir, become layer ${DIFF_<name>}. */
export function entriesLayerScript(entries: TarEntry[], name: string, why: string): string {
  const work = scratch('layer')
  const stage = path.join(work, 'stage')
  host.mkdir(stage, `${why}: the files as the layer holds them`, 0o755)
  const lines: string[] = []
  const dirs: string[] = []
  for (const e of entries) {
    const dst = shq(path.join(stage, e.path))
    const own = `chown -h ${e.uid ?? 0}:${e.gid ?? 0} ${dst}`
    const mode = ((e.mode ?? 0o644) & 0o7777).toString(8)
    if (e.type === 'dir') {
      lines.push(`mkdir -p ${dst} && chmod ${mode} ${dst} && ${own}`)
      if (e.mtime) dirs.unshift(`touch -h -d @${Math.floor(new Date(e.mtime).getTime() / 1000)} ${dst}`)
    } else if (e.type === 'symlink') lines.push(`ln -s ${shq(e.linkpath ?? '')} ${dst} && ${own}`)
    else if (e.type === 'file' && e.source) lines.push(`cp -p ${shq(e.source)} ${dst} && chmod ${mode} ${dst} && ${own}`)
    else if (e.type === 'file') lines.push(`: > ${dst} && chmod ${mode} ${dst} && ${own}`)
  }
  // Directory times last: adding entries changes them.
  if (lines.length) host.scriptOnly([...lines, ...dirs].join('\n'), `${entries.length} entries: directories, files (content and times from the context), owners and modes`)
  return tarAndInstall(work, stage, name)
}

function tarAndInstall(work: string, stage: string, name: string): string {
  const tar = path.join(work, 'layer.tar')
  host.run(['tar', '--numeric-owner', '--sort=name', '-C', stage, '-cf', tar, '.'], 'the layer tar (numeric owners, sorted: the same dir gives the same bytes)')
  host.run(['chmod', '600', tar], 'as ducker writes layer tars')
  const diffId = 'sha256:' + sha256FileVar(tar, name, 'the layer\'s diff ID: sha256 of its uncompressed tar (GNU tar\'s bytes: it differs from the ID ducker\'s own tar writer gives the same files)')
  const dir = layerDir(hex(diffId))
  const tmp = `${dir}.partial`
  host.scriptOnly(`if [ ! -d ${shq(dir)} ]; then`, 'a layer with the same content may be stored already')
  host.remove(tmp, 'clear a half-written layer left by an interrupted import')
  host.mkdir(path.join(tmp, 'diff'), 'the layer\'s files, later an overlay lower dir', 0o755)
  host.run(['tar', '-x', '--numeric-owner', '-p', '-f', tar, '-C', path.join(tmp, 'diff')], 'unpack the layer')
  host.scriptOnly(`find ${shq(path.join(tmp, 'diff'))} -name '${WH}*' | sort -r | while IFS= read -r f; do d=\${f%/*}; b=\${f##*/}; rm -f "$f"; if [ "$b" = ${OPQ} ]; then setfattr -n trusted.overlay.opaque -v y "$d"; else mknod "$d/\${b#${WH}}" c 0 0; fi; done`,
    'OCI whiteouts become overlay\'s: .wh.NAME a 0/0 char device, .wh..wh..opq the opaque xattr')
  host.rename(tar, path.join(tmp, 'layer.tar'), 'keep the layer tar: save streams it as is, its sha256 is the diff ID')
  host.rename(tmp, dir, 'publish the layer in one atomic rename')
  host.mkdir(path.join(layersDir(), 'l'), 'short names for layers keep the overlay mount options under one page')
  host.symlink(`../${hex(diffId)}/diff`, path.join(layersDir(), layerLink(diffId)), 'short link to the layer')
  host.scriptOnly('fi', 'end of the layer install')
  host.remove(work, 'drop the scratch dir')
  return diffId
}
