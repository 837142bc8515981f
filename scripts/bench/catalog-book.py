#!/usr/bin/env python3
"""Writes the permcat catalog as an mdBook source tree, for the build benchmark.

    permcat export --what catalog --format json -o catalog.json
    python3 scripts/bench/catalog-book.py catalog.json BOOK_DIR
    mdbook build BOOK_DIR

One chapter per permission with what its permcat page shows as text: per scheme
(delegated work, delegated personal, application) the display names and descriptions
for admins and users, GUID, admin consent, privilege level, flags and the localized texts;
the primary resource's properties and relationships; the Graph methods per API version
(v1.0, beta only, version not confirmed; least privileged first, at most 100 rows per
version as on the site) with the least-privileged marks per scheme and also-requires
notes. Then one chapter per resource type and version, as the site's resource pages:
description, properties, relationships, endpoints with their least-privileged
permissions. Not carried over: code examples, conflicts, app registration snippets and
the per-permission JSON/CSV downloads.

Prints the number of chapters and the markdown bytes written.
"""

import json
import os
import sys
from collections import defaultdict

ROWS_SHOWN = 100  # src/render/views.rs METHOD_ROWS_SHOWN
SCHEMES = [
    ("DelegatedWork", "Delegated (work or school account)"),
    ("DelegatedPersonal", "Delegated (personal Microsoft account)"),
    ("Application", "Application"),
]


def cell(text):
    """Text for a markdown table cell: one line, no raw HTML, no column breaks."""
    if text is None:
        return ""
    text = str(text).replace("\r", " ").replace("\n", " ")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def short(type_name):
    return type_name.rsplit(".", 1)[-1] if type_name else ""


def resource_file(version, type_name):
    return f"resources/{version}/{type_name}.md"


def member_table(out, title, members):
    out.append(f"\n### {title}\n")
    if not members:
        out.append("None known.\n")
        return
    out.append("| Name | Type | Description |")
    out.append("|---|---|---|")
    for m in members:
        typ = short(m.get("type_name"))
        if m.get("is_collection"):
            typ += " collection"
        desc = cell(m.get("description"))
        if m.get("inherited_from"):
            desc += f" (inherited from {cell(short(m['inherited_from']))})"
        out.append(f"| {cell(m['name'])} | {cell(typ)} | {desc} |")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: catalog-book.py CATALOG.json BOOK_DIR")
    with open(sys.argv[1], encoding="utf-8") as f:
        catalog = json.load(f)["catalog"]
    book = sys.argv[2]
    src = os.path.join(book, "src")
    for sub in ("permissions", "resources/v1.0", "resources/beta"):
        os.makedirs(os.path.join(src, sub), exist_ok=True)

    endpoints = {(e["method"], e["key"]): e for e in catalog["endpoints"]}
    resources = {}
    for r in catalog["resources"]:
        resources.setdefault((r["version"], r["type_name"]), r)
    grants_of = defaultdict(list)
    for g in catalog["grants"]:
        grants_of[g["permission"]].append(g)

    written = 0
    chapters = 0
    duplicates = []

    def write(rel, lines):
        nonlocal written, chapters
        text = "\n".join(lines) + "\n"
        with open(os.path.join(src, rel), "w", encoding="utf-8") as f:
            f.write(text)
        written += len(text.encode("utf-8"))
        chapters += 1

    summary = ["# Summary", "", "[Microsoft Graph permissions](intro.md)", "", "# Permissions", ""]

    for perm in catalog["permissions"]:
        name = perm["name"]
        out = [f"# {cell(name)}", ""]
        for key, label in SCHEMES:
            s = perm["schemes"].get(key)
            out.append(f"## {label}\n")
            if not s:
                out.append("Not available for this type.\n")
                continue
            out.append("| | |")
            out.append("|---|---|")
            rows = [
                ("Admin display name", s.get("admin_display_name")),
                ("Admin description", s.get("admin_description")),
                ("User display name", s.get("user_display_name")),
                ("User description", s.get("user_description")),
                ("GUID", f"`{s['id']}`" if s.get("id") else "unknown"),
                ("Admin consent required", {True: "Yes", False: "No"}.get(s.get("requires_admin_consent"), "unknown")),
                ("Privilege level", s.get("privilege_level") or "unknown"),
                ("Enabled", s.get("is_enabled")),
                ("Hidden", s.get("is_hidden")),
                ("Environments", ", ".join(s.get("environments") or [])),
                ("Sources", ", ".join(s.get("sources") or [])),
            ]
            for label_, value in rows:
                out.append(f"| {label_} | {value if label_ == 'GUID' else cell(value)} |")
            loc = s.get("localized") or {}
            if loc:
                out.append("\n### Localized texts\n")
                out.append("| Language | Admin display name | Admin description | User display name | User description |")
                out.append("|---|---|---|---|---|")
                for lang in sorted(loc):
                    t = loc[lang]
                    out.append(
                        f"| {lang} | {cell(t.get('admin_display_name'))} | {cell(t.get('admin_description'))} "
                        f"| {cell(t.get('user_display_name'))} | {cell(t.get('user_description'))} |"
                    )
            out.append("")

        pr = perm.get("primary_resource")
        out.append("## Resource\n")
        res = pr and resources.get((pr["version"], pr["type_name"]))
        if res:
            out.append(
                f"[{cell(short(res['type_name']))}](../{resource_file(res['version'], res['type_name'])}) "
                f"({res['version']}): {cell(res.get('description'))}\n"
            )
            member_table(out, "Properties", res.get("properties"))
            member_table(out, "Relationships", res.get("relationships"))
        else:
            out.append("No primary resource known.\n")

        # Graph methods, grouped and ordered as the site's method tables.
        by_ep = defaultdict(list)
        for g in grants_of[name]:
            by_ep[(g["key"], g["method"])].append(g)
        groups = {"v1.0": [], "beta": [], None: []}
        for (key, method) in sorted(by_ep):
            gs = by_ep[(key, method)]
            e = endpoints.get((method, key))
            versions = (e or {}).get("versions") or {}
            if "v1.0" in versions:
                group = "v1.0"
            elif "beta" in versions:
                group = "beta"
            else:
                group = None
            cells = []
            for scheme, _ in SCHEMES:
                of = [g for g in gs if g["scheme"] == scheme]
                cells.append("least" if any(g["least_privileged"] for g in of) else ("granted" if of else ""))
            also = sorted({a for g in gs for a in g.get("also_requires") or []})
            title = (e or {}).get("title") or ""
            link = ((e or {}).get("doc_links") or {}).get(group or "", "") or next(iter(((e or {}).get("doc_links") or {}).values()), "")
            groups[group].append((method, (e or {}).get("path") or gs[0]["path"], cells, also, title, link, "v1.0" == group and "beta" in versions))
        out.append("\n## Graph methods\n")
        for group, label in (("v1.0", "v1.0"), ("beta", "beta only"), (None, "Version not confirmed")):
            rows = groups[group]
            if group is None and not rows:
                continue
            out.append(f"### {label}\n")
            if not rows:
                out.append("No endpoint of this permission in this version.\n")
                continue
            rows.sort(key=lambda r: "least" not in r[2])
            if len(rows) > ROWS_SHOWN:
                out.append(f"Showing {ROWS_SHOWN} of {len(rows)} endpoints, least privileged first.\n")
            out.append("| Method | Path | Delegated (work) | Delegated (personal) | Application | Also requires | Docs |")
            out.append("|---|---|---|---|---|---|---|")
            for method, path, cells_, also, title, link, also_beta in rows[:ROWS_SHOWN]:
                docs = f"[{cell(title) or 'Learn'}]({link})" if link else cell(title)
                beta = " (also beta)" if also_beta else ""
                out.append(f"| {method} | `{path.replace('|', '¦')}`{beta} | {' | '.join(cells_)} | {cell(', '.join(also))} | {docs} |")
            out.append("")
        write(f"permissions/{name}.md", out)
        summary.append(f"- [{name}](permissions/{name}.md)")

    # Resource chapters: endpoints per resource and the permissions that reach them.
    eps_of = defaultdict(list)
    for e in catalog["endpoints"]:
        r = e.get("resource")
        if r:
            eps_of[(r["version"], r["type_name"])].append(e)
    least_of = defaultdict(set)
    for g in catalog["grants"]:
        if g["least_privileged"]:
            least_of[(g["method"], g["key"])].add(g["permission"])

    summary += ["", "# Resources", ""]
    seen = set()
    for res in sorted(catalog["resources"], key=lambda r: (r["version"] != "v1.0", r["version"], r["type_name"].lower())):
        ver, tn = res["version"], res["type_name"]
        # The catalog can hold one (version, type) twice: a type found in the v1.0 schema
        # and again through the type map for a beta path. mdBook refuses a file listed
        # twice; the first (sorted stably, so the schema's) is kept.
        if (ver, tn) in seen:
            duplicates.append(f"{ver} {tn}")
            continue
        seen.add((ver, tn))
        out = [f"# {cell(short(tn))} ({ver})", "", f"`{tn}`", ""]
        if res.get("doc_link"):
            out.append(f"[Learn page]({res['doc_link']})\n")
        if res.get("note"):
            out.append(f"> {cell(res['note'])}\n")
        out.append(cell(res.get("description")) + "\n")
        member_table(out, "Properties", res.get("properties"))
        member_table(out, "Relationships", res.get("relationships"))
        out.append("\n## Endpoints\n")
        eps = sorted(eps_of[(ver, tn)], key=lambda e: (e["key"], e["method"]))
        if eps:
            if len(eps) > ROWS_SHOWN:
                out.append(f"Showing {ROWS_SHOWN} of {len(eps)} endpoints.\n")
            out.append("| Method | Path | Least privileged permissions |")
            out.append("|---|---|---|")
            for e in eps[:ROWS_SHOWN]:
                perms = sorted(least_of[(e["method"], e["key"])])
                links = ", ".join(f"[{p}](../../permissions/{p}.md)" for p in perms)
                out.append(f"| {e['method']} | `{e['path'].replace('|', '¦')}` | {links} |")
        else:
            out.append("No endpoint returns this type.\n")
        write(resource_file(ver, tn), out)
        summary.append(f"- [{short(tn)} ({ver})]({resource_file(ver, tn)})")

    write("intro.md", ["# Microsoft Graph permissions", "", f"Permission data: {catalog.get('data_date')}.", ""])
    with open(os.path.join(src, "SUMMARY.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(summary) + "\n")
    with open(os.path.join(book, "book.toml"), "w", encoding="utf-8") as f:
        f.write('[book]\ntitle = "Microsoft Graph permissions"\nlanguage = "en"\nsrc = "src"\n')
    print(f"{chapters} chapters, {written:,} bytes of markdown")
    if duplicates:
        print(f"resource listed twice in the catalog, written once: {', '.join(duplicates)}", file=sys.stderr)


if __name__ == "__main__":
    main()
