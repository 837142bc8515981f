#!/usr/bin/env python3
"""Makes a data directory with more permissions than DATA, for measuring how the build grows.

Usage: scale-data.py DATA OUT FACTOR          (FACTOR times the permissions, e.g. 4)
       scale-data.py DATA OUT --count N       (N permissions in all)
       add --first-pathset to give each copy only its permission's first pathSet

Every permission of DATA stays as it is and gets copies named `<Name>.x<k>` (k = 2, 3, …;
the same category, since a category is the text before the first dot), each with new
GUIDs: a copy's GUID is a UUIDv5 of the original GUID and k, the same in every file, so a
copy has no GUID conflict the original does not have. Copied are the files that name
permissions: permissions.json (the entry, with its schemes and pathSets),
permissions-descriptions.json and its translations (delegatedScopesList and
applicationScopesList entries) and provisioningInfo.json (permissionDeployments). The
docs, the schemas and the command map are not copied: the other top-level folders of DATA
are symlinks into it, and microsoft-graph-devx-content is a real folder whose other files
are copied (permcat refuses a symlink inside a source folder that leads out of it).

How it scales: a full copy grants what its original grants, so the output grows with the
grants (at 4x the real catalog: about 4x its 199 MB). For tens of thousands of permissions
full copies would write tens of GB, so use --first-pathset there: each copy keeps only its
original's first pathSet (its methods and paths, with the same least= flags), which keeps
every per-permission step (page, examples, methods, conflicts, exports, search) while the
output stays a few GB. Originals are never cut. Repeated keys in a JSON object (a
permission defined twice) stay repeated: objects are read as lists of pairs.
"""

import json
import math
import os
import shutil
import sys
import uuid

NS = uuid.UUID("6b1d0d8e-9c3a-4f4e-9a51-8d7f2b0c5e11")
DEVX = "microsoft-graph-devx-content"


def pairs(text):
    """JSON with every object as a list of (key, value) pairs, repeated keys kept."""
    return json.loads(text, object_pairs_hook=lambda kv: ("obj", kv))


def dump(v, out):
    """Writes what `pairs` read, compact."""
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "obj":
        out.append("{")
        for i, (k, x) in enumerate(v[1]):
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            dump(x, out)
        out.append("}")
    elif isinstance(v, list):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            dump(x, out)
        out.append("]")
    else:
        out.append(json.dumps(v, ensure_ascii=False))


def get(obj, key):
    for k, v in obj[1]:
        if k == key:
            return v
    return None


def new_id(old, k):
    return str(uuid.uuid5(NS, f"{old.strip().lower()}:{k}")) if isinstance(old, str) else old


def renamed(name, k):
    return f"{name}.x{k}"


def copies(names, total):
    """(name, k) of every copy to make, round-robin over the names: total - len(names)."""
    out = []
    k = 2
    while len(names) + len(out) < total:
        for n in names:
            if len(names) + len(out) >= total:
                break
            out.append((n, k))
        k += 1
    return out


def copy_obj(obj, change):
    """A copy of an object (as pairs) with `change(key, value)` applied to each pair."""
    return ("obj", [(key, change(key, v)) for key, v in obj[1]])


def scale_permissions(doc, made, first_pathset):
    perms = get(doc, "permissions")
    by_name = {}
    for name, body in perms[1]:
        by_name.setdefault(name, body)
    for name, k in made:
        body = by_name[name]

        def change(key, v):
            if key == "pathSets" and first_pathset and isinstance(v, list):
                return v[:1]
            return v

        perms[1].append((renamed(name, k), copy_obj(body, change)))


def scale_descriptions(doc, made):
    want = {}
    for name, k in made:
        want.setdefault(name, []).append(k)
    for _, entries in doc[1]:
        if not isinstance(entries, list):
            continue
        extra = []
        for e in entries:
            value = get(e, "value") if isinstance(e, tuple) else None
            for k in want.get(value, []):
                extra.append(copy_obj(e, lambda key, v, k=k: renamed(v, k) if key == "value" else new_id(v, k) if key == "id" else v))
        entries.extend(extra)


def scale_provisioning(doc, made):
    deployments = get(doc, "permissionDeployments")
    if deployments is None:
        return
    by_name = {}
    for name, body in deployments[1]:
        by_name.setdefault(name, body)
    for name, k in made:
        body = by_name.get(name)
        if isinstance(body, list):
            deployments[1].append((renamed(name, k), [copy_obj(d, lambda key, v, k=k: new_id(v, k) if key == "id" else v) if isinstance(d, tuple) else d for d in body]))


def write(doc, path):
    out = []
    dump(doc, out)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(out))
        f.write("\n")


def main(argv):
    first_pathset = "--first-pathset" in argv
    args = [a for a in argv if a != "--first-pathset"]
    if len(args) == 4 and args[2] == "--count":
        data, out, total = args[0], args[1], int(args[3])
        factor = None
    elif len(args) == 3:
        data, out, factor = args[0], args[1], float(args[2])
        total = None
    else:
        sys.exit(__doc__)
    data = os.path.abspath(data)
    devx = os.path.join(data, DEVX)
    perms_path = os.path.join(devx, "permissions", "new", "permissions.json")
    with open(perms_path, encoding="utf-8") as f:
        doc = pairs(f.read())
    names = []
    seen = set()
    for name, _ in get(doc, "permissions")[1]:
        if name not in seen:
            seen.add(name)
            names.append(name)
    if total is None:
        total = math.ceil(len(names) * factor)
    made = copies(names, total)

    if os.path.lexists(out):
        sys.exit(f"error: {out} exists")
    os.makedirs(out)
    for entry in sorted(os.listdir(data)):
        src = os.path.join(data, entry)
        if entry == DEVX:
            continue
        if os.path.isdir(src):
            os.symlink(src, os.path.join(out, entry))
        else:
            shutil.copy2(src, os.path.join(out, entry))
    for root, _, files in os.walk(devx):
        rel = os.path.relpath(root, data)
        os.makedirs(os.path.join(out, rel), exist_ok=True)
        for name in files:
            src = os.path.join(root, name)
            dst = os.path.join(out, rel, name)
            if src == perms_path:
                scale_permissions(doc, made, first_pathset)
                write(doc, dst)
            elif name.startswith("permissions-descriptions") and name.endswith(".json"):
                with open(src, encoding="utf-8") as f:
                    d = pairs(f.read())
                scale_descriptions(d, made)
                write(d, dst)
            elif name == "provisioningInfo.json":
                with open(src, encoding="utf-8") as f:
                    d = pairs(f.read())
                scale_provisioning(d, made)
                write(d, dst)
            else:
                shutil.copy2(src, dst)
    print(f"{len(names) + len(made)} permissions ({len(names)} + {len(made)} copies"
          f"{', first pathSet only' if first_pathset else ''}) in {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
