"""Self-contained HTML report pages (the policy report, the models report): one style, tables
from frames, matplotlib figures embedded as PNG — a page is one file that opens anywhere."""
from __future__ import annotations

import base64
import html
import io

import pandas as pd
from matplotlib.figure import Figure

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.ok{color:#075}.bad{color:#a00}.note{color:#555;font-size:.9em}"""


def png(fig: Figure) -> str:
    """``fig`` as an inline ``<img>``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def table(frame: pd.DataFrame, digits: int = 4) -> str:
    """``frame`` as an HTML table (floats to ``digits``, missing as —)."""
    if frame.empty:
        return "<p class='note'>(no rows)</p>"
    return frame.to_html(index=False, float_format=lambda v: f"{v:.{digits}f}", na_rep="—",
                         border=0, escape=True)


def head(title: str) -> str:
    """The page's opening: doctype, charset, title, style and the ``<h1>``."""
    t = html.escape(title)
    return f"<!doctype html><meta charset='utf-8'><title>{t}</title><style>{STYLE}</style><h1>{t}</h1>"
