"""Interactive plotly charts for the lessons.

Every builder takes a ``Course`` (``turn_east.data.load_course``) and returns a
``plotly.graph_objects.Figure``: it never shows it, never reads files and keeps no
global state. All figures share one theme (the ``turn_east`` template, registered
but never made plotly's default), one colour and marker symbol per actor, a source
line, and a plain-text description with the figure's real numbers (``describe(fig)``).
Bad arguments raise ``ChartArgumentError``, a ``turn_east.data.DataError`` (ValueError)
naming the bad value and the valid ones.
"""
from ._common import (
    ACTOR_COLORS, ACTOR_SYMBOLS, EVENT_TYPE_STYLE, SCORE_COLORS, STAGE_COLORS, TEMPLATE,
    TEMPLATE_NAME, ChartArgumentError, actor_color, describe,
)
from .geo import northeast_asia_map
from .relations import relations_heatmap, relations_network, strategic_triangle
from .printing import PRINT_WIDTH, printable
from .stats import activity_by_stage, stage_motive_matrix, tone_by_stage
from .timeline import timeline

__all__ = [
    "ACTOR_COLORS", "ACTOR_SYMBOLS", "EVENT_TYPE_STYLE", "SCORE_COLORS", "STAGE_COLORS", "TEMPLATE",
    "TEMPLATE_NAME", "ChartArgumentError", "actor_color", "describe", "all_figures",
    "timeline", "relations_network", "strategic_triangle", "northeast_asia_map", "relations_heatmap",
    "activity_by_stage", "tone_by_stage", "stage_motive_matrix", "printable", "PRINT_WIDTH",
]


def all_figures(course) -> dict:
    """Every chart of the course with its default arguments, by name (for galleries and benchmarks)."""
    return {
        "timeline": timeline(course),
        "timeline_by_actor": timeline(course, color_by="actor"),
        "relations_network": relations_network(course),
        "strategic_triangle": strategic_triangle(course),
        "northeast_asia_map": northeast_asia_map(course),
        "relations_heatmap": relations_heatmap(course),
        "activity_by_stage": activity_by_stage(course),
        "tone_by_stage": tone_by_stage(course),
        "stage_motive_matrix": stage_motive_matrix(course),
    }
