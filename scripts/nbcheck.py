#!/usr/bin/python3
"""Checks an executed notebook: no cell has an error output and at least one cell shows an image.

Usage: nbcheck.py EXECUTED.ipynb   (exit 0 when good; otherwise one line per problem on stdout)
Uses only the standard library so it runs under Debian's /usr/bin/python3.
"""
import json
import sys

IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


def problems(nb):
    out = []
    images = 0
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "error":
                out.append(f"cell {i}: error {o.get('ename', '')}: {o.get('evalue', '')}".strip())
            elif kind == "stream" and o.get("name") == "stderr":
                text = "".join(o.get("text", ""))
                # GoNB reports compile and run-time failures on stderr.
                if "panic:" in text or "exit status" in text or "undefined:" in text or "error" in text.lower():
                    out.append(f"cell {i}: stderr: {text.strip().splitlines()[0][:200]}")
            data = o.get("data", {})
            if any(t in data for t in IMAGE_TYPES) or "<img" in "".join(data.get("text/html", "")):
                images += 1
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
