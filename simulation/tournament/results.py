"""A tournament's results: the leaderboard with paired comparisons, the forest plot and the report.

Statistics (reference: chapter 7's method). Each entry's mean of each metric gets a 95% t interval over
its R replications. Because replication r is the same market for every entry, the comparison with the
leader is paired: for each market, the entry's profit minus the leader's, and a 95% t interval of the mean
of those differences. An entry "can be told apart from the leader" when that interval excludes 0.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.tournament.runner import EntryReport

#: how each metric is rounded for reading: money to whole CU, shares to 0.001, counts to 0.1
DECIMALS = {
    "profit": 0,
    "revenue": 0,
    "marketing_cost": 0,
    "realised_clv": 1,
    "customers_at_end": 1,
    "retention": 3,
    "share_of_wallet": 3,
}
UNITS = {
    "profit": "CU",
    "revenue": "CU",
    "marketing_cost": "CU",
    "realised_clv": "CU per customer",
    "customers_at_end": "customers",
    "retention": "share",
    "share_of_wallet": "share",
}


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the t-based confidence interval of the mean."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))
    return mean, mean - half, mean + half


def leaderboard(runs: pd.DataFrame, entries: list[EntryReport], metrics: list[str]) -> pd.DataFrame:
    """One row per entry: ranked entries first (by mean profit), then the disqualified ones, unrounded."""
    counted = runs[runs["counted"]]
    rows = []
    for report in entries:
        if report.status != "ok":
            continue
        mine = counted[counted["entry"] == report.name].sort_values("replication")
        row = {"entry": report.name, "status": "ok", "runs": len(mine)}
        for metric in metrics:
            mean, low, high = t_interval(mine[metric])
            row[f"{metric}_mean"], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = mean, low, high
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values("profit_mean", ascending=False, kind="stable").reset_index(drop=True)
        table.insert(0, "rank", table["profit_mean"].rank(method="min", ascending=False).astype(int))
        leader = table.loc[0, "entry"]
        wide = counted.pivot(index="replication", columns="entry", values="profit")
        for index, name in table["entry"].items():
            difference = (wide[name] - wide[leader]).to_numpy()
            mean, low, high = t_interval(difference)
            table.loc[index, ["difference_to_leader", "difference_ci_low", "difference_ci_high"]] = [
                mean,
                low,
                high,
            ]
            if name == leader:
                verdict = "leader"
            elif not np.any(difference):
                verdict = "no (identical results)"
            else:
                verdict = "yes" if (high < 0 or low > 0) else "no"
            table.loc[index, "told_apart_from_leader"] = verdict
    disqualified = [
        {"entry": r.name, "status": "disqualified", "runs": 0, "reason": r.reason}
        for r in entries
        if r.status != "ok"
    ]
    table = pd.concat([table, pd.DataFrame(disqualified)], ignore_index=True) if disqualified else table
    if "reason" not in table:
        table["reason"] = ""
    table["reason"] = table["reason"].fillna("")
    return table


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard rounded for reading (money to whole CU, shares to 0.001)."""
    table = table.copy()
    for column in table.columns:
        metric = next((m for m in DECIMALS if column.startswith(f"{m}_")), None)
        if column.startswith("difference"):
            metric = "profit"
        if metric is not None and pd.api.types.is_numeric_dtype(table[column]):
            table[column] = table[column].round(DECIMALS[metric])
    if "rank" in table:
        table["rank"] = table["rank"].astype("Int64")
    return table


@dataclass
class TournamentResult:
    """What `run_tournament` returns: the entries, every run, and the settings it ran with."""

    entries: list[EntryReport]
    runs: pd.DataFrame
    settings: dict

    @property
    def leaderboard(self) -> pd.DataFrame:
        """Ranked entries with intervals and the paired comparison with the leader (unrounded)."""
        return leaderboard(self.runs, self.entries, self.settings["metrics"])

    @property
    def disqualified(self) -> dict[str, str]:
        """Entry name -> the one-line reason."""
        return {r.name: r.reason for r in self.entries if r.status != "ok"}

    def describe_market(self) -> str:
        s = self.settings
        seed = "a private seed (not shown)" if s["private"] else f"public seed {s['seed']}"
        return (
            f"scenario {s['scenario']} ({s['scenario_description']}); {s['n_people']:,} people, "
            f"{s['weeks']} weeks; {s['replications']} replications from {seed}"
        )

    # the plot -----------------------------------------------------------------------------------
    def figure(self):
        """A forest plot of mean profit with 95% intervals, best on top, the leader's interval shaded."""
        from matplotlib.figure import Figure

        table = self.leaderboard
        ranked = table[table["status"] == "ok"]
        height = 1.8 + 0.32 * max(len(ranked), 1)
        figure = Figure(figsize=(8.5, height), layout="constrained")
        axes = figure.add_subplot()
        weeks, replications = self.settings["weeks"], self.settings["replications"]
        if len(ranked):
            y = np.arange(len(ranked))[::-1]
            leader = ranked.iloc[0]
            axes.axvspan(
                leader["profit_ci_low"],
                leader["profit_ci_high"],
                color="#f4c542",
                alpha=0.3,
                label="leader's 95% interval",
            )
            apart = (ranked["told_apart_from_leader"] == "yes").to_numpy()
            for mask, colour, label in (
                (~apart, "#1f5fa8", "cannot be told apart from the leader"),
                (apart, "#9a9a9a", "worse than the leader (paired interval)"),
            ):
                if mask.any():
                    means = ranked["profit_mean"].to_numpy()[mask]
                    errors = np.vstack(
                        [
                            means - ranked["profit_ci_low"].to_numpy()[mask],
                            ranked["profit_ci_high"].to_numpy()[mask] - means,
                        ]
                    )
                    axes.errorbar(means, y[mask], xerr=errors, fmt="o", color=colour, capsize=3, label=label)
            axes.set_yticks(y, ranked["entry"].tolist())
            axes.legend(loc="lower right", fontsize="small")
        else:
            axes.text(0.5, 0.5, "no entry finished the tournament", ha="center", transform=axes.transAxes)
        axes.set_xlabel(f"profit over {weeks} weeks, CU (mean and 95% interval over {replications} markets)")
        axes.set_ylabel("entry (best on top)")
        axes.set_title(
            f"Tournament: scenario {self.settings['scenario']}, {self.settings['n_people']:,} people"
        )
        axes.xaxis.set_major_formatter(_thousands)
        axes.grid(axis="x", alpha=0.3)
        return figure

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()

    # the report ---------------------------------------------------------------------------------
    def html(self) -> str:
        """A self-contained HTML page: settings, leaderboard, plot, and every entry with its docstring."""
        esc = html.escape
        table = rounded(self.leaderboard)
        s, limits = self.settings, self.settings["limits"]
        ranked = table[table["status"] == "ok"]
        columns = ["rank", "entry"] + [
            c for m in s["metrics"] for c in (f"{m}_mean", f"{m}_ci_low", f"{m}_ci_high")
        ]
        columns += [
            "difference_to_leader",
            "difference_ci_low",
            "difference_ci_high",
            "told_apart_from_leader",
        ]
        head = "".join(f"<th>{esc(c.replace('_', ' '))}</th>" for c in columns if c in ranked)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(_cell(row[c]))}</td>" for c in columns if c in ranked) + "</tr>"
            for _, row in ranked.iterrows()
        )
        entries = []
        for report in self.entries:
            status = (
                "<span class=ok>ranked</span>"
                if report.status == "ok"
                else f"<span class=bad>disqualified</span>: {esc(report.reason)}"
            )
            doc = esc(report.doc) if report.doc else "<em>(no docstring)</em>"
            where = esc(report.file) + (f", <code>{esc(report.function)}</code>" if report.function else "")
            entries.append(f"<h3>{esc(report.name)}</h3><p>{where} &mdash; {status}</p><pre>{doc}</pre>")
        changed = ""
        if s["changed_files"]:
            changed = (
                f"<p class=bad>These submission files changed on disk during the tournament (the "
                f"tournament used their contents from the start): {esc(', '.join(s['changed_files']))}"
                "</p>"
            )
        image = base64.b64encode(self.png()).decode()
        verified = (
            "every run was verified by replaying the entry's actions in a process without student code"
            if s["verified"]
            else "runs were NOT verified by replay (--no-verify)"
        )
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Strategy tournament</title>
<style>
body {{font-family: system-ui, sans-serif; max-width: 75em; margin: 2em auto; padding: 0 1em; color: #222}}
table {{border-collapse: collapse; font-size: 0.9em}} th, td {{border: 1px solid #ccc; padding: 0.25em 0.5em}}
td {{text-align: right}} td:nth-child(2) {{text-align: left}} th {{background: #f0f0f0}}
pre {{background: #f7f7f7; padding: 0.5em; white-space: pre-wrap}} .bad {{color: #a00}} .ok {{color: #070}}
img {{max-width: 100%}}
</style></head><body>
<h1>Strategy tournament</h1>
<p>{esc(self.describe_market())}. Ranked by mean profit; {esc(verified)}. Time limits: import
{limits.import_seconds:g} s, one week's planning {limits.week_seconds:g} s, one run {limits.run_seconds:g} s.
Generated {esc(stamp)}.</p>
{changed}
<h2>Leaderboard</h2>
<p>Amounts in CU, rounded to whole CU; intervals are 95% t intervals over the markets. "difference to
leader" is the mean of the paired differences (this entry's profit minus the leader's, market by market);
an entry can be told apart from the leader when that interval excludes 0. With many entries, a few "no"
answers are expected by chance alone, and the leader's lead is usually a little overstated (it is the
best of several noisy means).</p>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>Forest plot</h2>
<img alt="forest plot of mean profit per entry with 95% intervals" src="data:image/png;base64,{image}">
<h2>Entries</h2>
{"".join(entries)}
</body></html>
"""

    # files --------------------------------------------------------------------------------------
    def write(self, out) -> dict[str, Path]:
        """Write leaderboard.csv (rounded), runs.csv (every run, full precision), forest_plot.png and
        report.html into `out`; returns their paths."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            name: out / name for name in ("leaderboard.csv", "runs.csv", "forest_plot.png", "report.html")
        }
        rounded(self.leaderboard).to_csv(paths["leaderboard.csv"], index=False)
        self.runs.to_csv(paths["runs.csv"], index=False)
        paths["forest_plot.png"].write_bytes(self.png())
        paths["report.html"].write_text(self.html(), encoding="utf-8")
        return paths


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0")
    return str(value)


def _thousands(value, position=None) -> str:
    return f"{value:,.0f}"
