"""What handouts load beside them, written once per output folder: plotly.js (from the plotly package)
and the map outlines (``plotly-geo-topojson.js``, from the course's topojson files)."""

from __future__ import annotations

import json
from pathlib import Path

from turn_east.make.files import write_if_changed
from turn_east.make.handouts.plan import GEO_JS
from turn_east.paths import TOPOJSON_DIR

_GEO_JS_HEADER = """/* Offline map outlines for plotly.js geo charts in turn-east handouts, written by turn-east handouts
 * from src/turn_east/static/topojson/*.json ({names}): the topojson of plotly.js (as in dist/plotly-geo-assets.js
 * of the npm package plotly.js, MIT licence, Copyright Plotly, Inc.; outlines from UN / Natural Earth geodata).
 * plotly.js reads window.PlotlyGeoAssets.topojson[name] before it would fetch https://cdn.plot.ly/un/<name>.json,
 * so a handout that loads this file after plotly.min.js draws its maps without the internet (even from file://,
 * where plotly.js could not fetch a .json file). */
"""


def geo_assets_js(topojson_dir: Path = TOPOJSON_DIR) -> str:
    """The handouts' ``plotly-geo-topojson.js``: every ``<name>.json`` of ``topojson_dir`` as
    ``window.PlotlyGeoAssets.topojson[name]``, in name order (the same bytes on every run)."""
    files = sorted(topojson_dir.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no topojson files in {topojson_dir}: the handouts' maps would have no outlines")
    parts = [_GEO_JS_HEADER.format(names=", ".join(f.stem for f in files)),
             "(function(){var w=window;w.PlotlyGeoAssets=w.PlotlyGeoAssets||{topojson:{}};"
             "w.PlotlyGeoAssets.topojson=w.PlotlyGeoAssets.topojson||{};var t=w.PlotlyGeoAssets.topojson;\n"]
    for f in files:
        text = f.read_text(encoding="utf-8").strip()
        data = json.loads(text)  # plain JSON only: the file is pasted into a script as it is
        if not isinstance(data, dict) or data.get("type") != "Topology":
            raise ValueError(f"{f} is not a topojson Topology")
        parts.append(f"t[{json.dumps(f.stem)}]={text};\n")
    parts.append("})();\n")
    return "".join(parts)


def install_plotly_js(handouts_dir: Path) -> Path:
    """Copy plotly's bundled plotly.min.js (and write the offline map outlines) beside the handouts, once."""
    import plotly

    write_if_changed(handouts_dir / GEO_JS, geo_assets_js())
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return write_if_changed(handouts_dir / "plotly.min.js", source.read_bytes())
