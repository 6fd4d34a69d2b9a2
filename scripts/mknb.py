#!/usr/bin/python3
"""Builds the GoNB notebooks in notebooks/ from their sources in notebooks/src/*.md.

A source is Markdown; each fenced block opened with ```go becomes a code cell, everything between
blocks becomes a markdown cell. The first code cell of every notebook is the same set-up cell, which
points GoNB at this repository (see TOOLCHAIN.md), so it is added here and not written in the sources.

    scripts/mknb.py            # rebuild every notebook
    scripts/mknb.py --check    # exit 1 if a notebook differs from what its source gives
"""
import glob
import json
import os
import sys

MODULE = "github.com/denotation-go/denotation"
# The version the notebooks require of MODULE: any, since it is replaced by the checkout.
PSEUDO = "v0.0.0-00010101000000-000000000000"
SETUP = (
    "// Set-up: use this repository's packages (GONB_DIR is this notebook's folder) and resolve their\n"
    "// dependencies once, here; link the cells' programs without a symbol table (-s, which implies -w:\n"
    "// no DWARF), which halves linking, most of a cell's start-up; and skip GoNB's `go get` before every\n"
    "// cell (~0.7 s each). A cell that imports a module this repository does not use needs `%autoget`.\n"
    f'!*go mod edit -replace={MODULE}="${{GONB_DIR}}/.." -require={MODULE}@{PSEUDO} && go get {MODULE}/...@{PSEUDO}\n'
    "%goflags -ldflags=-s\n"
    "%noautoget"
)


def cells_from(text):
    cells, md, code, in_code = [], [], [], False
    for line in text.splitlines():
        if not in_code and line.strip() == "```go":
            if "".join(md).strip():
                cells.append(("markdown", "\n".join(md).strip("\n")))
            md, in_code = [], True
        elif in_code and line.strip() == "```":
            cells.append(("code", "\n".join(code).strip("\n")))
            code, in_code = [], False
        elif in_code:
            code.append(line)
        else:
            md.append(line)
    if in_code:
        raise ValueError("unclosed ```go block")
    if "".join(md).strip():
        cells.append(("markdown", "\n".join(md).strip("\n")))
    return cells


def notebook(cells):
    out = []
    first_code = True
    for kind, src in cells:
        if kind == "code" and first_code:
            out.append(cell("code", SETUP))
            first_code = False
        out.append(cell(kind, src))
    return {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
            "language_info": {"codemirror_mode": "", "file_extension": ".go", "mimetype": "", "name": "go",
                              "nbconvert_exporter": "", "pygments_lexer": "", "version": "go1.24"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def cell(kind, src):
    lines = src.split("\n")
    source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
    c = {"cell_type": kind, "id": None, "metadata": {}, "source": source}
    if kind == "code":
        c["execution_count"] = None
        c["outputs"] = []
    return c


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notebooks")
    check = "--check" in sys.argv
    stale = []
    for src in sorted(glob.glob(os.path.join(root, "src", "*.md"))):
        name = os.path.basename(src)[:-3]
        with open(src) as f:
            nb = notebook(cells_from(f.read()))
        for i, c in enumerate(nb["cells"]):
            c["id"] = f"{name[:2]}-{i:02d}"
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        dst = os.path.join(root, name + ".ipynb")
        old = open(dst).read() if os.path.exists(dst) else None
        if old != text:
            stale.append(dst)
            if not check:
                with open(dst, "w") as f:
                    f.write(text)
    if check and stale:
        print("notebooks out of date with notebooks/src (run scripts/mknb.py):", *stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
