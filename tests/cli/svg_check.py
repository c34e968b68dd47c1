"""svg_check.py FILE [--no-vertical TITLE] TITLE...: FILE parses as XML (an
<svg> document, as gnuplot writes it) and holds a plot group (<g id="gnuplot_plot_N">)
titled by each TITLE; with --no-vertical, the curve of that title has no
vertical segment (a step drawn as a step). Exits 1 saying what is missing."""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
args = sys.argv[1:]
path = args.pop(0)
no_vertical = []
while "--no-vertical" in args:
    i = args.index("--no-vertical")
    no_vertical.append(args[i + 1])
    del args[i:i + 2]
root = ET.parse(path).getroot()
if root.tag != NS + "svg":
    sys.exit(f"{path}: the root is {root.tag}, not svg")
groups = {}
for g in root.iter(NS + "g"):
    if re.match(r"gnuplot_plot_\d+", g.get("id", "")):
        title = g.find(NS + "title")
        if title is not None:
            groups.setdefault(title.text, []).append(g)
missing = [t for t in args + no_vertical if t not in groups]
if missing:
    sys.exit(f"{path}: no plot titled {missing} (plots: {sorted(groups)})")
for title in no_vertical:
    for g in groups[title]:
        for p in g.iter(NS + "path"):
            for sub in re.split(r"M", p.get("d", "")):
                points = [tuple(map(float, xy.split(","))) for xy in re.findall(r"-?[\d.]+,-?[\d.]+", sub)]
                for (x0, y0), (x1, y1) in zip(points, points[1:]):
                    if abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 5:
                        sys.exit(f"{path}: '{title}' has a vertical segment at x = {x0}")
if "-v" in sys.argv:
    print(f"{path}: plots {sorted(groups)}")
