"""A map of Northeast Asia (plotly geo, no tiles): places, routes and summit venues."""
from __future__ import annotations

import plotly.graph_objects as go  # noqa: F401  (return type)

from dataclasses import asdict

from turn_east.data import Course

from ._common import (
    check_choices, finish, fmt_span, plural, source_line, stage_colors, stage_labels, stage_symbols, wrap,
)

#: The map's window (degrees): Northeast Asia from the Yellow Sea to the Bering Strait's approaches.
LON_RANGE = (98.0, 172.0)
LAT_RANGE = (18.0, 66.0)

PLACE_KIND_STYLE = {  # kind -> (symbol, size, legend label)
    "capital": ("square", 9, "Capital"),
    "city": ("circle", 7, "City"),
    "port": ("triangle-up", 9, "Port"),
    "border": ("x", 9, "Border crossing"),
    "river": ("diamond", 9, "River"),
    "venue": ("circle-open", 9, "Venue"),
    "region": ("hexagon-open", 10, "Region"),
    "sea-route": ("star-triangle-up", 12, "Sea route"),
}


def _in_window(lat, lon) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def _find_place(places, *words):
    """The first place (by id) whose id or name contains all the words."""
    for p in places:
        hay = (p["id"] + " " + p["name"]).lower()
        if all(w in hay for w in words):
            return p
    return None


def northeast_asia_map(course: Course, *, stage=None, basemap: bool = True) -> go.Figure:
    """Places of the course on a plain map of Northeast Asia (no tiles; plotly's own outlines).

    Shows every place, the Khasan-Rajin rail link and port, the Tumen River mouth, the eastern
    end of the Northern Sea Route, and summit venues coloured by stage; hovering a place lists
    its events. stage: one stage id to keep only that stage's events (places stay as context).

    basemap: draw land, coastlines, borders and rivers. plotly.js takes these outlines from a
    topojson file (``world_50m.json``), fetched from plotly's CDN unless the renderer's config
    sets ``topojsonURL`` to a local copy; with ``basemap=False`` the map has only the
    graticule and our own points and lines, and needs no file at all.
    """
    pers = course.periods
    chosen = check_choices("stage", stage, pers, param="stage")
    titles = stage_labels(course)
    names = course.actor_full_names
    places = [asdict(p) for p in course.place_list]
    by_id = {p["id"]: p for p in places}

    events = [dict(id=e.id, date=e.date, end=e.end, precision=e.precision, title=e.title, stage=e.stage,
                   event_type=e.event_type, place=e.place)
              for e in course.event_list
              if e.place in by_id and (chosen is None or e.stage in chosen)]
    at_place: dict[str, list[dict]] = {}
    for e in events:
        at_place.setdefault(e["place"], []).append(e)

    def place_hover(p, limit=8):
        lines = [f"<b>{p['name']}</b>" + (f" ({names.get(p['actor'], p['actor'])})" if p["actor"] else ""),
                 f"{p['kind']}"]
        if p["note"]:
            lines.append(wrap(p["note"], 60, limit=180))
        evs = at_place.get(p["id"], [])
        if evs:
            lines.append(f"{plural(len(evs), 'event')}" + (f" in {titles.get(chosen[0], chosen[0])}" if chosen else "") + ":")
            for e in evs[:limit]:
                lines.append(wrap(f"{fmt_span(e['date'], e['end'], e['precision'])}: {e['title']}", 70, limit=110))
            if len(evs) > limit:
                lines.append(f"\u2026 and {len(evs) - limit} more")
        return "<br>".join(lines)

    traces = []
    # ---- routes first (drawn under the markers)
    khasan, rajin = _find_place(places, "khasan"), _find_place(places, "rajin")
    if khasan and rajin:
        traces.append(dict(type="scattergeo", mode="lines", name="Khasan-Rajin rail link (54 km)",
                           lon=[khasan["lon"], rajin["lon"]], lat=[khasan["lat"], rajin["lat"]],
                           line=dict(color="#000000", width=3, dash="solid"), hoverinfo="skip",
                           legendgroup="routes"))
    nsr = [p for p in places if p["kind"] == "sea-route"]
    vlad = _find_place(places, "vladivostok")
    if nsr and vlad:
        end = nsr[0]
        traces.append(dict(type="scattergeo", mode="lines", name="Towards the Northern Sea Route",
                           lon=[vlad["lon"], end["lon"]], lat=[vlad["lat"], end["lat"]],
                           line=dict(color="#0072B2", width=2, dash="dash"), hoverinfo="skip",
                           legendgroup="routes"))

    # ---- every place, one trace per kind (symbol per kind: readable in greyscale)
    kinds = [k for k in PLACE_KIND_STYLE if any(p["kind"] == k for p in places)]
    kinds += sorted({p["kind"] for p in places} - set(PLACE_KIND_STYLE))
    for k in kinds:
        pts = [p for p in places if p["kind"] == k]
        symbol, size, label = PLACE_KIND_STYLE.get(k, ("circle", 8, k))
        traces.append(dict(
            type="scattergeo", mode="markers+text", name=f"{label} ({len(pts)})", legendgroup="places",
            lon=[p["lon"] for p in pts], lat=[p["lat"] for p in pts], customdata=[p["id"] for p in pts],
            text=[p["name"] if _label_place(p, at_place) else "" for p in pts], textposition="top right",
            textfont=dict(size=10, color="#333333"), hovertext=[place_hover(p) for p in pts],
            hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(symbol=symbol, size=size, color="#555555", line=dict(width=1, color="#222222")),
        ))

    # ---- summit venues, coloured (and shaped) by stage
    summits = [e for e in events if e["event_type"] == "summit"]
    colors, symbols = stage_colors(course), stage_symbols(course)
    for s in (chosen or pers):
        here = [e for e in summits if e["stage"] == s]
        venues = sorted({e["place"] for e in here})
        if not venues:
            continue
        traces.append(dict(
            type="scattergeo", mode="markers", name=f"Summits, {titles.get(s, s)} ({len(here)})",
            legendgroup="summits", lon=[by_id[v]["lon"] for v in venues], lat=[by_id[v]["lat"] for v in venues],
            customdata=venues,
            hovertext=["<br>".join([f"<b>{by_id[v]['name']}</b>: summits in {titles.get(s, s)}"]
                                   + [wrap(f"{fmt_span(e['date'], e['end'], e['precision'])}: {e['title']}", 70, limit=110)
                                      for e in here if e["place"] == v]) for v in venues],
            hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(symbol=symbols[s], size=17, color=colors[s],
                        opacity=0.85, line=dict(width=1.5, color="#FFFFFF")),
        ))

    off_map = [p for p in places if not _in_window(p["lat"], p["lon"]) and at_place.get(p["id"])]
    annotations = []
    if off_map:
        annotations.append(dict(
            text=wrap("Beyond this map: " + "; ".join(f"{p['name']} ({plural(len(at_place[p['id']]), 'event')})"
                                                      for p in off_map), 150),
            showarrow=False, xref="paper", yref="paper", x=0, y=0, yshift=-6, xanchor="left", yanchor="top",
            align="left", font=dict(size=11, color="#333333"), name="off-map"))

    layout = dict(
        geo=dict(projection=dict(type="mercator"),
                 lonaxis=dict(range=list(LON_RANGE), showgrid=True, gridcolor="#E3E3E3", dtick=10),
                 lataxis=dict(range=list(LAT_RANGE), showgrid=True, gridcolor="#E3E3E3", dtick=10),
                 showland=basemap, landcolor="#EFEFEF", showocean=basemap, oceancolor="#FFFFFF",
                 showcountries=basemap, countrycolor="#9A9A9A", showcoastlines=basemap,
                 coastlinecolor="#7A7A7A", showrivers=basemap, rivercolor="#9DC3E6", showlakes=False,
                 showframe=True, framecolor="#999999", resolution=50, bgcolor="#FFFFFF"),
        height=680, legend=dict(title=dict(text="Map key"), x=1.0, xanchor="left", y=1.0),
        margin=dict(l=10, r=10, t=80, b=130), annotations=annotations,
    )
    fig = dict(data=traces, layout=layout)
    title = "Northeast Asia: the places of the Russia-North Korea story"
    if chosen:
        title += f"<br><sup>{titles.get(chosen[0], chosen[0])}</sup>"
    return finish(fig, title=title, chart="northeast_asia_map",
                  description=_describe(places, events, summits, at_place, off_map, chosen, titles, khasan, rajin, nsr),
                  source=source_line("places.csv, events.csv"), source_shift=-62)


def _label_place(p, at_place) -> bool:
    """Label capitals and the route places; venues and cities crowd each other, so they keep
    their names for the hover."""
    return p["kind"] in ("capital", "port", "river", "sea-route", "border")


def _describe(places, events, summits, at_place, off_map, chosen, titles, khasan, rajin, nsr) -> str:
    text = f"Map of {plural(len(places), 'place')} in and around Northeast Asia"
    text += f", with the {plural(len(events), 'event')} of {titles.get(chosen[0], chosen[0])} that have a place." if chosen \
        else f", with {plural(len(events), 'event')} that have a place."
    busiest = sorted(((len(v), k) for k, v in at_place.items()), key=lambda t: (-t[0], t[1]))[:3]
    by_id = {p["id"]: p for p in places}
    if busiest:
        # "; " between places: a place's own name may hold a comma ("Washington, DC")
        text += " Most events: " + "; ".join(f"{by_id[k]['name']} ({n})" for n, k in busiest) + "."
    if summits:
        text += f" {plural(len(summits), 'summit')} at {plural(len({e['place'] for e in summits}), 'venue')}, coloured by stage."
    if khasan and rajin:
        text += f" The line from {khasan['name']} to {rajin['name']} marks the rail link to the port."
    if nsr:
        text += f" {nsr[0]['name']} marks the eastern end of the Northern Sea Route."
    if off_map:
        text += f" {plural(len(off_map), 'place')} with events lie beyond the map window: " + \
                "; ".join(p["name"] for p in off_map) + "."
    return text
