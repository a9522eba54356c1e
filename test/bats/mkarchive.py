#!/usr/bin/env python3
"""Craft docker-archive tars for the load tests: a valid one-layer image
whose layer holds the given evil entries (digests are correct, so only the
safety checks can refuse it), or an outer archive with a bad path.
usage: mkarchive.py OUT KIND   (KIND: dotdot | abs | symlink | hardlink | device | outer | tamper | ok)"""
import hashlib, io, json, sys, tarfile

out, kind = sys.argv[1], sys.argv[2]

def add(t, name, data=b'', **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode='w', format=tarfile.GNU_FORMAT) as t:
    add(t, 'ok.txt', b'fine\n')
    if kind == 'dotdot':
        add(t, '../../../../tmp/ducker-evil-dotdot', b'pwned\n')
    elif kind == 'abs':
        add(t, '/tmp/ducker-evil-abs', b'pwned\n')
    elif kind == 'symlink':
        add(t, 'evil', type=tarfile.SYMTYPE, linkname='/tmp')
        add(t, 'evil/ducker-evil-symlink', b'pwned\n')
    elif kind == 'hardlink':
        add(t, 'evil', type=tarfile.LNKTYPE, linkname='../../../../etc/passwd')
    elif kind == 'device':
        add(t, 'sda', type=tarfile.BLKTYPE, devmajor=8, devminor=0)
layer = layer.getvalue()
diff = hashlib.sha256(layer).hexdigest()
config = json.dumps({'architecture': 'amd64', 'os': 'linux', 'config': {'Cmd': ['/bin/sh']},
                     'rootfs': {'type': 'layers', 'diff_ids': ['sha256:' + diff]}}).encode()
cfg = hashlib.sha256(config).hexdigest()
if kind == 'tamper':
    layer = layer.replace(b'fine\n', b'evil\n')
manifest = json.dumps([{'Config': cfg + '.json', 'RepoTags': [f'evil-{kind}:latest'], 'Layers': [diff + '.tar']}]).encode()
with tarfile.open(out, mode='w') as t:
    add(t, diff + '.tar', layer)
    add(t, cfg + '.json', config)
    add(t, 'manifest.json', manifest)
    if kind == 'outer':
        add(t, '../ducker-evil-outer', b'pwned\n')
