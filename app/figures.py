"""Figure builders: pure functions from frames to Plotly figures, styled by a token template."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy.stats import norm

from app.tokens import token

MAX_POINTS = 1500  # more than a chart of this width can show; longer series are thinned
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LINE = "colors.financial.chart_colors.primary_line"
BENCH = "colors.financial.chart_colors.benchmark_line"
BOND = "colors.financial.chart_colors.bond_line"
PALETTE = [LINE, BENCH, BOND, "colors.semantic.profit", "colors.semantic.status.warning"]


def template(theme: str = "light") -> go.layout.Template:
    """The Plotly template of a theme, every colour and font from the design tokens."""
    text, muted = token("colors.text.primary", theme), token("colors.text.muted", theme)
    grid, card = token("colors.surface.border", theme), token("colors.surface.card", theme)
    axis = {
        "gridcolor": grid,
        "linecolor": grid,
        "zerolinecolor": grid,
        "tickfont": {"color": muted},
    }
    return go.layout.Template(
        layout={
            "paper_bgcolor": card,
            "plot_bgcolor": card,
            "font": {"family": "system-ui, sans-serif", "color": text, "size": 12},
            "colorway": [token(name, theme) for name in PALETTE],
            "xaxis": axis,
            "yaxis": axis,
            "margin": {"l": 48, "r": 16, "t": 28, "b": 32},
            "legend": {"orientation": "h", "y": 1.12, "x": 0},
            "hovermode": "x unified",
        }
    )


def thin(series: pd.Series, max_points: int = MAX_POINTS) -> pd.Series:
    """Every k-th point (both ends kept) so that at most about `max_points` are drawn."""
    if len(series) <= max_points:
        return series
    step = int(np.ceil(len(series) / max_points))
    keep = np.union1d(np.arange(0, len(series), step), [len(series) - 1])
    return series.iloc[keep]


def _figure(title: str, theme: str) -> go.Figure:
    """An empty figure; the title is for screen readers and exports (cards carry the heading)."""
    return go.Figure(layout={"template": template(theme), "meta": {"title": title}})


def equity_figure(
    equity: pd.Series, benchmarks: dict[str, pd.Series], *, log: bool = False, theme: str = "light"
) -> go.Figure:
    """Growth of 1 for the strategy and each benchmark, rebased to the strategy's first date."""
    fig = _figure("Equity (growth of 1)", theme)
    equity = equity.dropna()
    if equity.empty:
        return fig
    colours = [BENCH, BOND, *PALETTE[3:]]
    for (name, line), colour in zip(
        [("Strategy", equity), *benchmarks.items()], [LINE, *colours], strict=False
    ):
        line = line.dropna()
        line = line[line.index >= equity.index[0]]
        if line.empty:
            continue
        line = thin(line / line.iloc[0])
        fig.add_scatter(
            x=line.index, y=line.to_numpy(), name=name, line={"color": token(colour, theme)}
        )
    fig.update_yaxes(type="log" if log else "linear", tickformat=".2f")
    return fig


def drawdown_figure(drawdown: pd.Series, theme: str = "light") -> go.Figure:
    """The underwater curve: drawdown from the running peak (≤ 0), filled."""
    fig = _figure("Underwater (drawdown from peak)", theme)
    line = thin(drawdown.dropna())
    loss = token("colors.semantic.loss", theme)
    fig.add_scatter(
        x=line.index, y=line.to_numpy(), name="Drawdown", fill="tozeroy", line={"color": loss}
    )
    fig.update_yaxes(tickformat=".0%")
    return fig


def rolling_figure(rolling: dict[str, pd.Series], theme: str = "light") -> go.Figure:
    """One panel per rolling statistic (Sharpe, volatility, beta), sharing the time axis."""
    names = list(rolling)
    fig = make_subplots(rows=len(names) or 1, cols=1, shared_xaxes=True, subplot_titles=names)
    for row, (name, values) in enumerate(rolling.items(), start=1):
        line = thin(values.dropna())
        colour = token(PALETTE[(row - 1) % len(PALETTE)], theme)
        fig.add_scatter(
            x=line.index, y=line.to_numpy(), name=name, row=row, col=1, line={"color": colour}
        )
    fig.update_layout(template=template(theme), showlegend=False, height=140 + 160 * len(names))
    return fig


def heat_scale(theme: str = "light") -> list[list]:
    """A diverging colour scale: loss token, card surface at zero, profit token."""
    return [
        [0.0, token("colors.semantic.loss", theme)],
        [0.5, token("colors.surface.card", theme)],
        [1.0, token("colors.semantic.profit", theme)],
    ]


def monthly_heatmap(table: pd.DataFrame, theme: str = "light") -> go.Figure:
    """Monthly returns, years × months, coloured around zero and annotated in percent."""
    fig = _figure("Monthly returns", theme)
    months = table[list(range(1, 13))] if not table.empty else table
    values = months.to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.01
    text = [["" if np.isnan(v) else f"{v:.1%}" for v in row] for row in values]
    fig.add_heatmap(
        z=values,
        x=MONTHS,
        y=[str(y) for y in months.index],
        text=text,
        texttemplate="%{text}",
        colorscale=heat_scale(theme),
        zmid=0,
        zmin=-limit,
        zmax=limit,
        showscale=False,
        hovertemplate="%{y} %{x}: %{text}<extra></extra>",
    )
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def yearly_figure(yearly: pd.DataFrame, theme: str = "light") -> go.Figure:
    """Calendar-year returns of each column side by side (strategy against its benchmark)."""
    fig = _figure("Yearly returns", theme)
    for column, colour in zip(yearly.columns, [LINE, BENCH, BOND], strict=False):
        fig.add_bar(
            x=[str(y) for y in yearly.index],
            y=yearly[column].to_numpy(dtype=float),
            name=str(column),
            marker={"color": token(colour, theme)},
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%")
    return fig


def distribution_figure(returns: pd.Series, theme: str = "light") -> go.Figure:
    """Histogram of daily returns (as a density) against the normal of the same mean and σ."""
    fig = _figure("Daily return distribution", theme)
    values = returns.dropna().to_numpy(dtype=float)
    if len(values) < 2:
        return fig
    fig.add_histogram(
        x=values, histnorm="probability density", name="Returns", nbinsx=60, opacity=0.75
    )
    mean, std = values.mean(), values.std(ddof=1)
    grid = np.linspace(values.min(), values.max(), 200)
    fig.add_scatter(
        x=grid,
        y=norm.pdf(grid, mean, std) if std > 0 else np.zeros_like(grid),
        name="Normal",
        line={"color": token(BENCH, theme), "dash": "dash"},
    )
    fig.update_xaxes(tickformat=".1%")
    fig.update_layout(hovermode="closest")
    return fig


def comparison_figure(
    levels: dict[str, pd.Series], *, log: bool = False, theme: str = "light"
) -> go.Figure:
    """Several strategies and benchmarks rebased to 1 on their first common date."""
    fig = _figure("Growth of 1 since the first common date", theme)
    frame = pd.DataFrame({name: s for name, s in levels.items()}).dropna()
    if frame.empty:
        return fig
    frame = frame / frame.iloc[0]
    for i, column in enumerate(frame.columns):
        line = thin(frame[column])
        colour = token(PALETTE[i % len(PALETTE)], theme)
        dash = "solid" if i < len(PALETTE) else "dot"
        fig.add_scatter(
            x=line.index, y=line.to_numpy(), name=column, line={"color": colour, "dash": dash}
        )
    fig.update_yaxes(type="log" if log else "linear", tickformat=".2f")
    return fig


def correlation_figure(correlation: pd.DataFrame, theme: str = "light") -> go.Figure:
    """A correlation matrix of daily returns, annotated."""
    fig = _figure("Correlation of daily returns", theme)
    values = correlation.to_numpy(dtype=float)
    fig.add_heatmap(
        z=values,
        x=list(correlation.columns),
        y=list(correlation.index),
        text=[[f"{v:.2f}" for v in row] for row in values],
        texttemplate="%{text}",
        colorscale=heat_scale(theme),
        zmin=-1,
        zmax=1,
        showscale=False,
    )
    fig.update_yaxes(autorange="reversed")
    return fig
