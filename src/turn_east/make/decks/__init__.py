"""Slide decks per lesson for the projector, offline (reveal.js from the sphinx-revealjs package).

    condense.py   what a slide shows of a Markdown cell (one idea, at most SLIDE_WORDS words)
    build.py      an executed lesson -> slides (charts, data, prompts, quiz questions; notes)
    render.py     nbconvert with the ``deck`` template; reveal.js, plotly.js and the map outlines beside
    cli.py        `turn-east decks`, and `turn-east handouts --decks`
"""
