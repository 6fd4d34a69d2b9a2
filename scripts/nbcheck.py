#!/usr/bin/python3
"""Checks an executed notebook: no cell has an error output or a GoNB failure on stderr, and every
cell that shows a figure unconditionally (a top-level `must.M1(findings.ShowAndExport(` line) shows an
image.

Usage: nbcheck.py EXECUTED.ipynb   (exit 0 when good; otherwise one line per problem on stdout)
Uses only the standard library so it runs under Debian's /usr/bin/python3.
"""
import json
import sys

IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


# What GoNB prints on stderr when a cell fails to compile or its program fails. (A program's own
# stderr — progress lines, logs — is not a failure, even when it contains the word "error".)
GONB_FAILURES = ("panic:", "exit status", "undefined:", "cannot use ", "declared and not used",
                 "imported and not used", "syntax error", "failed to run", "build failed")


# What findings.Show prints for a result without figures (findings.NoFigureLine).
NO_FIGURE = "(no figure: nothing to draw for this result)"


def expects_figure(source):
    """A cell expects a figure when it calls ShowAndExport or Show at the top level (not inside an if)."""
    starts = ("must.M1(findings.ShowAndExport(", "must.M(findings.Show(", "must.M(findings.ShowWithPrefix(")
    return any(line.startswith(starts) for line in source.splitlines())


def problems(nb):
    out = []
    images = 0
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        cell_images = 0
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "error":
                out.append(f"cell {i}: error {o.get('ename', '')}: {o.get('evalue', '')}".strip())
            elif kind == "stream" and o.get("name") == "stderr":
                text = "".join(o.get("text", ""))
                if any(m in text for m in GONB_FAILURES):
                    out.append(f"cell {i}: stderr: {text.strip().splitlines()[0][:200]}")
            data = o.get("data", {})
            if any(t in data for t in IMAGE_TYPES) or "<img" in "".join(data.get("text/html", "")):
                cell_images += 1
        images += cell_images
        said_none = any(NO_FIGURE in "".join(o.get("text", "")) for o in cell.get("outputs", []))
        if cell_images == 0 and not said_none and expects_figure("".join(cell.get("source", ""))):
            out.append(f"cell {i}: shows a figure but has no image output")
    if images == 0:
        out.append("no image in any output")
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    try:
        with open(sys.argv[1]) as f:
            nb = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read {sys.argv[1]}: {e}")
        return 1
    ps = problems(nb)
    for p in ps:
        print(p)
    return 1 if ps else 0


if __name__ == "__main__":
    sys.exit(main())
