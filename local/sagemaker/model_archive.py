"""model.tar.gz as SageMaker writes it after training and unpacks it for hosting.

    python model_archive.py pack <model_dir> <model.tar.gz>
    python model_archive.py unpack <model.tar.gz> <model_dir>
    python model_archive.py list <model.tar.gz>

Writing: when a training job ends, SageMaker uploads the contents of /opt/ml/model as one
gzip-compressed tar, every top-level entry of the folder at the root of the archive (no
leading folder, no "./"), directories as entries of their own. The SageMaker Python SDK's
local mode reproduces that with `tarfile.open(mode="w:gz")` and `add(path,
arcname=basename)` for each entry of the model folder (sagemaker/local/image.py,
retrieve_artifacts, and sagemaker/utils.py, create_tar_file); we do the same, in sorted
order so the same model gives the same listing.

Reading: for hosting, SageMaker "will attempt to decompress and untar the object during model
deployment" into /opt/ml/model (API reference, S3ModelDataSource, CompressionType Gzip). We
unpack into the given folder and refuse what a safe unpacker must refuse: absolute paths,
`..`, links, devices, and entries that would land outside the folder.
"""

import json
import os
import sys
import tarfile


class ArchiveError(Exception):
    """The archive cannot be used as a model artifact (the message names the entry)."""


def pack(model_dir, target):
    """Write model_dir's contents to `target` (gzip tar, entries at the archive root)."""
    if not os.path.isdir(model_dir):
        raise ArchiveError(f"model directory {model_dir} does not exist")
    if not os.listdir(model_dir):
        raise ArchiveError(f"model directory {model_dir} is empty; the training job wrote no model")
    # gzip's own default level (what `tar czf` writes); tarfile's 9 is several times slower
    # on the incompressible float weights and saves next to nothing.
    with tarfile.open(target, mode="w:gz", compresslevel=6) as archive:
        # What tarfile.add(path, arcname) does recursively, in sorted order at every level.
        for dirpath, dirnames, filenames in os.walk(model_dir):
            dirnames.sort()
            relative = os.path.relpath(dirpath, model_dir)
            for name in sorted(dirnames + filenames):
                path = os.path.join(dirpath, name)
                arcname = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
                archive.add(path, arcname=arcname, recursive=False)
    return target


def members(target):
    """[(name, kind, size)] in archive order; kind is "file" or "dir"."""
    with tarfile.open(target, mode="r:gz") as archive:
        return [(m.name, "dir" if m.isdir() else "file" if m.isfile() else "other", m.size) for m in archive]


def unpack(target, model_dir):
    """Unpack `target` into model_dir (created if missing); returns the list of files written."""
    root = os.path.realpath(model_dir)
    os.makedirs(root, exist_ok=True)
    written = []
    try:
        archive = tarfile.open(target, mode="r:gz")
    except (OSError, tarfile.TarError) as err:
        raise ArchiveError(f"{target} is not a gzip-compressed tar archive ({err})") from None
    with archive:
        for member in archive:
            name = member.name
            if name.startswith("/") or os.path.isabs(name):
                raise ArchiveError(f"{target}: entry {name!r} has an absolute path")
            if ".." in name.replace("\\", "/").split("/"):
                raise ArchiveError(f"{target}: entry {name!r} climbs out of the model directory")
            destination = os.path.realpath(os.path.join(root, name))
            if destination != root and not destination.startswith(root + os.sep):
                raise ArchiveError(f"{target}: entry {name!r} lands outside the model directory")
            if member.isdir():
                os.makedirs(destination, exist_ok=True)
            elif member.isfile():
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                source = archive.extractfile(member)
                with open(destination, "wb") as out:
                    while True:
                        chunk = source.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)
                os.chmod(destination, 0o644)
                written.append(name)
            else:
                kind = "link" if member.issym() or member.islnk() else "special file"
                raise ArchiveError(f"{target}: entry {name!r} is a {kind}; a model archive holds files and folders")
    return written


def main(argv):
    if len(argv) < 2 or argv[0] not in ("pack", "unpack", "list"):
        print(__doc__.strip().splitlines()[2:5], file=sys.stderr)
        return 2
    try:
        if argv[0] == "pack":
            pack(argv[1], argv[2])
        elif argv[0] == "unpack":
            unpack(argv[1], argv[2])
        else:
            print(json.dumps([{"name": n, "kind": k, "size": s} for n, k, s in members(argv[1])]))
    except ArchiveError as err:
        print(f"model_archive.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
