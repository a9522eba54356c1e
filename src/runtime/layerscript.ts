// --dry-run form of "an overlay upper dir becomes a layer" (commit). The
// layer tar does not exist yet when the script is written, so the script
// makes it with GNU tar and hashes it itself:
//   cp -a UPPER/. STAGE           a copy it may change
//   whiteouts -> .wh. files       (listed now: the upper dir exists already)
//   tar -cf layer.tar -C STAGE .  DIFF=$(sha256sum < layer.tar)
// and installs it as the command does (unpack, overlay whiteouts, rename).
// GNU tar's bytes differ from ducker's own writer, so the diff ID (and with
// it the image ID) differs from a real commit's; the files are the same.
import path from 'node:path'
import * as host from '../host/gateway.js'
import { sha256FileVar } from '../host/digest.js'
import { shq } from '../host/shell.js'
import { layerDir } from '../store/paths.js'
import { hex } from './images.js'
import { installLayer, OPQ, scratch, WH, type Whiteouts } from './layers.js'

export function createLayerScript(upper: string, w: Whiteouts, why: string): string {
  const work = scratch('layer')
  const stage = path.join(work, 'stage')
  const tar = path.join(work, 'layer.tar')
  host.run(['cp', '-a', upper + '/.', stage], `${why}: copy the upper dir, to turn its whiteouts into OCI form`)
  for (const f of w.files) {
    const dst = path.join(stage, f)
    host.remove(dst, 'an overlay whiteout (char device 0/0)...')
    host.write(path.join(path.dirname(dst), WH + path.basename(dst)), '', '...becomes an empty .wh.NAME file in the layer tar', { mode: 0o600 })
  }
  for (const d of w.opaque) host.write(path.join(stage, d, OPQ), '', 'an opaque dir (overlay xattr) gets a .wh..wh..opq marker', { mode: 0o600 })
  host.run(['tar', '--numeric-owner', '--sort=name', '-C', stage, '-cf', tar, '.'], 'the layer tar (numeric owners, sorted: the same dir gives the same bytes)')
  host.run(['chmod', '600', tar], 'as ducker writes layer tars')
  const diffId = 'sha256:' + sha256FileVar(tar, 'DIFF', 'the layer\'s diff ID: sha256 of its uncompressed tar')
  host.scriptOnly(`if [ ! -d ${shq(layerDir(hex(diffId)))} ]; then`, 'a layer with the same content may be stored already')
  installLayer(tar, diffId, w)
  host.scriptOnly('fi', 'end of the layer install')
  host.remove(work, 'drop the scratch dir')
  return diffId
}
