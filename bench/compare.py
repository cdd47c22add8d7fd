"""This run against the previous one: each headline figure, its change, and whether the change is beyond noise.

Issue 14 asks that no figure be worse than the last run "by more than the
noise it states". Each run states a noise per figure (bench.noise,
bench.figures); two figures differ beyond noise when their intervals
(value ± noise) do not overlap, i.e. |now − previous| > noise now + noise
previous. A previous run that stated no noise (older results.json) is taken
to have had this run's. The previous figures are read before anything is
measured, from `git show HEAD:bench/results.json` (else the file as it was
at start), and kept in results.json, so `python -m bench.report` can rebuild
the section.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench.figures import Figure, figures, measure, measure_all
from bench.procs import ROOT
from bench.rows import num

WITHIN, BETTER, WORSE = "within noise", "better", "worse beyond noise"


def verdict(previous: float, now: float, noise_previous: float | None, noise_now: float | None, *,
            lower_is_better: bool) -> str:  # fmt: skip
    """ "within noise", "better" or "worse beyond noise"; without any noise, any change counts."""
    if noise_previous is None:
        noise_previous = noise_now
    if noise_now is None:
        noise_now = noise_previous
    allowed = (noise_now or 0.0) + (noise_previous or 0.0)
    change = now - previous
    if abs(change) <= allowed:
        return WITHIN
    improved = change < 0 if lower_is_better else change > 0
    if improved:
        return BETTER
    return WORSE if noise_now is not None else "worse (noise not estimated)"


def load_previous(path: Path) -> dict[str, Any] | None:
    """The previous run's figures: the committed results.json, else the file at `path` as it is now."""
    raw, source = None, ""
    try:
        shown = subprocess.run(["git", "show", "HEAD:bench/results.json"], cwd=ROOT, capture_output=True,
                               check=True, timeout=30).stdout  # fmt: skip
        raw, source = json.loads(shown), "`git show HEAD:bench/results.json`"
    except (OSError, subprocess.SubprocessError, ValueError):
        if path.exists():
            try:
                raw, source = json.loads(path.read_text()), f"{path.name} as it was when this run started"
            except ValueError:
                raw = None
    if not raw or "results" not in raw:
        return None
    machine = raw.get("machine", {})
    return {
        "source": source,
        "date": machine.get("date"),
        "commit": machine.get("commit"),
        "sizes": raw.get("sizes", {}),
        "figures": measure_all(raw["results"]),
    }


def noise_text(figure: Figure, m: dict[str, Any] | None) -> str | None:
    """'name ±noise [k: low–high]' for the table's noise rows."""
    if m is None:
        return None
    d = figure.digits
    if figure.exact:
        return f"{figure.name} exact"
    if m.get("noise") is None:
        return f"{figure.name} ±?"
    return f"{figure.name} ±{num(m['noise'], d)} [{m['k']}: {num(m['low'], d)} to {num(m['high'], d)}]"


def noise_rows(label: str, results: dict[str, Any], keys: list[str]) -> list[str]:
    """The noise row under a headline row of the results table (none if no figure belongs to it)."""
    mine = [f for f in figures(results) if label.startswith(f.row)]
    if not mine:
        return []
    cells = []
    for key in keys:
        texts = [t for f in mine if (t := noise_text(f, measure(f, results[key]))) is not None]
        cells.append("; ".join(texts) or "—")
    if all(c == "—" for c in cells):
        return []
    how = ", ".join(dict.fromkeys(f.how for f in mine if not f.exact))
    return [f"|    ± noise in this run: half the spread of each figure's blocks [count: min to max] ({how}; "
            "bench/README.md, Noise) |  | " + " | ".join(cells) + " |"]  # fmt: skip


def _change(previous: float, now: float, digits: int) -> str:
    change = now - previous
    pct = f" ({change / previous * 100:+.0f}%)" if previous else ""
    return f"{'+' if change >= 0 else '−'}{num(abs(change), digits)}{pct}"


def _sizes_differ(previous: dict[str, Any], now: dict[str, Any]) -> list[str]:
    return [f"{k} {previous[k]} → {v}" for k, v in now.items() if k in previous and previous[k] != v]


def comparison_lines(previous: dict[str, Any] | None, results: dict[str, Any], sizes: dict[str, Any]) -> list[str]:
    """The "Versus the previous run" section of RESULTS.md."""
    if not previous:
        return ["No previous results.json to compare with.", ""]
    lines = [
        f"Previous run: {previous.get('date') or '?'}, app code at commit {previous.get('commit') or '?'}, read from "
        f"{previous['source']} before this run measured anything. A change is *beyond noise* when the two figures "
        "± their stated noise do not overlap (|now − previous| > noise now + noise previous; a run that stated no "
        "noise is given this run's). Compare (c) and (d), code that did not change, to see how much the machine "
        "itself moved between the two runs.",
        "",
    ]
    differ = _sizes_differ(previous.get("sizes", {}), sizes)
    if differ:
        lines += [f"**Sizes differ from the previous run** ({', '.join(differ)}): not like for like.", ""]
    now = measure_all(results)
    before = previous["figures"]
    table = ["| figure | system | previous | now | change | noise previous / now | verdict |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    worse = []
    for figure in figures(results):
        for key in now:
            a, b = before.get(key, {}).get(figure.key), now[key].get(figure.key)
            if a is None or b is None:
                continue
            said = verdict(a["value"], b["value"], a.get("noise"), b.get("noise"),
                           lower_is_better=figure.lower_is_better)  # fmt: skip
            d = figure.digits
            noise = f"{_noise(a.get('noise'), d)} / {_noise(b.get('noise'), d)}"
            name = f"{figure.row.strip()} {figure.name} ({figure.unit})"
            table.append(f"| {name} | ({key}) | {num(a['value'], d)} | {num(b['value'], d)} | "
                         f"{_change(a['value'], b['value'], d)} | {noise} | "
                         f"{'**' + said + '**' if said.startswith('worse') else said} |")  # fmt: skip
            if said.startswith("worse"):
                worse.append(f"({key}) {name}")
    if len(table) == 2:
        return [*lines, "No figure ran in both runs.", ""]
    summary = f"Worse beyond noise: {', '.join(worse)}." if worse else "No figure is worse beyond its noise."
    return [*lines, summary, "", *table, ""]


def _noise(value: float | None, digits: int) -> str:
    return "—" if value is None else f"±{num(value, digits)}"
