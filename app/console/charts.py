"""Charts of the console, drawn server-side as SVG by pygal (pure Python, maintained, no JavaScript needed):
a partner's records per run and run durations, and notices per base. Nothing is fetched from elsewhere:
pygal's tooltip script (a CDN URL by default) is left out, so the pages work offline. pygal is imported when
a chart is first drawn, not with the app: the worker and the CLI never draw one.

Drawing is most of what a chart page costs (pygal takes ~10-20 ms a chart), so a chart is drawn only when what it
shows changed: the SVG is kept per process for the figures it was drawn from (the key is the figures
themselves, so it is never stale, and there is nothing to invalidate)."""
from __future__ import annotations

from functools import cache, lru_cache
from typing import Any, Sequence

from markupsafe import Markup
from sqlalchemy import Row  # a harvest_run row (store.console.recent_runs)

CHARTS_KEPT = 64  # SVGs kept per kind of chart in each process (20-30 kB each)
RECORDS = ("created", "updated", "deleted", "quarantined")


@cache
def _options() -> dict[str, Any]:
    from pygal.style import Style

    # colours a colour-blind reader tells apart (Okabe-Ito), on white with dark text: WCAG AA contrast
    style = Style(background="white", plot_background="white", foreground="#1e1e1e", foreground_strong="#1e1e1e",
                  foreground_subtle="#595959", colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"),
                  font_family="system-ui, sans-serif", label_font_size=12, major_label_font_size=12,
                  legend_font_size=13, title_font_size=15)
    return dict(style=style, js=[], disable_xml_declaration=True, width=760, height=320, explicit_size=False,
                legend_at_bottom=True, truncate_label=-1, x_label_rotation=30, show_minor_x_labels=False,
                print_values=False)


def _chart(kind: str, **options: Any):
    import pygal

    return getattr(pygal, kind)(**{**_options(), **options})


def _svg(chart) -> Markup:
    return Markup(chart.render(is_unicode=True))


def _labels(runs: Sequence[Row]) -> tuple[str, ...]:
    return tuple(f"#{run.id} {run.started:%Y-%m-%d}" for run in runs)


def _major(labels: tuple[str, ...]) -> list[str]:
    step = max(1, len(labels) // 10)  # about ten labels, whatever the history
    return list(labels[::step])


def records_chart(runs: Sequence[Row]) -> Markup:
    """Records created, updated, deleted and quarantined per run (oldest left)."""
    return _records_svg(_labels(runs), tuple(tuple(getattr(run, name) for run in runs) for name in RECORDS))


@lru_cache(maxsize=CHARTS_KEPT)
def _records_svg(labels: tuple[str, ...], series: tuple[tuple[int, ...], ...]) -> Markup:
    # lines without a dot per value: a bar or dot per value and series costs pygal ~1 ms each (the budget is
    # 200 ms a page); the table under the chart has every figure
    chart = _chart("Line", title="Records per run", show_dots=False)
    chart.x_labels = list(labels)
    chart.x_labels_major = _major(labels)
    for name, values in zip(RECORDS, series):
        chart.add(name, list(values))
    return _svg(chart)


def duration_chart(runs: Sequence[Row]) -> Markup:
    """Seconds each finished run took."""
    return _duration_svg(_labels(runs), tuple((run.finished - run.started).total_seconds() if run.finished
                                              else None for run in runs))


@lru_cache(maxsize=CHARTS_KEPT)
def _duration_svg(labels: tuple[str, ...], seconds: tuple[float | None, ...]) -> Markup:
    chart = _chart("Line", title="Run duration (seconds)", show_legend=False, show_dots=False)
    chart.x_labels = list(labels)
    chart.x_labels_major = _major(labels)
    chart.add("duration", list(seconds))
    return _svg(chart)


def bases_chart(counts: dict[str, int]) -> Markup:
    """Published notices per base."""
    return _bases_svg(tuple(counts.items()))


@lru_cache(maxsize=CHARTS_KEPT)
def _bases_svg(counts: tuple[tuple[str, int], ...]) -> Markup:
    chart = _chart("HorizontalBar", title="Published notices per base", show_legend=False, x_label_rotation=0)
    chart.x_labels = [base for base, _ in counts]
    chart.add("notices", [n for _, n in counts])
    return _svg(chart)
