"""The course website: ``turn-east site`` (``make site``) builds ``build/site/`` with Sphinx, myst-nb and the
book theme, from the lessons as the handouts executed them.

    config.py      where the launch buttons point ([tool.turn-east.site] in pyproject.toml, or options)
    links.py       Binder and JupyterHub (nbgitpuller, through turn_east.make.hub) links of a lesson
    lessons.py     an executed lesson made into a page notebook (leader cells out, code folded, About box,
                   glossary links titled, its documents listed)
    pages.py       the generated pages: home, course map, syllabus, primary documents, glossary,
                   bibliography, leader's overview (the reference entries: turn_east.make.reference)
    sphinx_ext.py  the Sphinx extension: plotly.js and map outlines per page, links to ids in the lessons'
                   HTML outputs, the lesson's header buttons
    build.py       executions reused or made, sources written, Sphinx run, pages checked, site published
    cli.py         `turn-east site`

Nothing here does what the engine does: navigation, previous/next links, search, the layout and the
cross-references are Sphinx's and the theme's. The site's Python dependencies are the ``[site]`` extra.
"""

from turn_east.make.site.build import SiteError, SiteResult, build_site, site_folder
from turn_east.make.site.cli import add_arguments, main, run
from turn_east.make.site.config import SiteConfig, read_config, with_overrides

__all__ = ["SiteConfig", "SiteError", "SiteResult", "add_arguments", "build_site", "main", "read_config", "run",
           "site_folder", "with_overrides"]
