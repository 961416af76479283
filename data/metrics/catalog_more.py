"""Registry rows: win/loss, periods, benchmark, robustness and trade metrics."""

from __future__ import annotations

from .catalog_core import EM, QS

_WIN = "Period-based (returns, not trades); zero-return periods are excluded."
_TRAIL = "Compounded over (as-of − {w}, as-of], as-of = the strategy's last observation."
_TRAIL_REF = (
    f"Differs from {QS}, whose window includes the boundary day (≥) and whose as-of is the "
    "last row of the whole matrix; here one strategy's figure never depends on the others'."
)
_ANN = (
    "CAGR (years = N / P) over the trailing {y} years to the strategy's last observation; NaN "
    "unless its history reaches back to the window start (7 days' slack for holidays)."
)
_ANN_REF = (
    f"Differs from {QS}, which uses {{m}} months and reports a shorter history's CAGR under "
    "the same label."
)
_TRADE = "From closed trades (trades.pnl), not from returns."

# fmt: off
MORE: tuple[tuple, ...] = (
    # Win/loss (period-based)
    ("win_days", "Win days", "Win/loss", "percent", True,
     f"Positive periods / non-zero periods. {_WIN}", f"Reproduces {QS} win_rate."),
    ("avg_win", "Average win", "Win/loss", "percent", True,
     "Mean of positive period returns.", f"Reproduces {QS} avg_win."),
    ("avg_loss", "Average loss", "Win/loss", "percent", True,
     "Mean of negative period returns (≤ 0).", f"Reproduces {QS} avg_loss."),
    ("payoff_ratio", "Payoff ratio", "Win/loss", "ratio", True,
     "Average win / |average loss| of periods.",
     f"Reproduces {QS} payoff_ratio, which is also its 'Win/Loss Ratio'."),
    ("profit_ratio", "Profit ratio", "Win/loss", "ratio", True,
     "(mean win / #wins) / (|mean loss| / #losses), wins being r ≥ 0.",
     f"Reproduces {QS} profit_ratio formula as published, for comparability."),
    ("profit_factor", "Profit factor", "Win/loss", "ratio", True,
     "Σ r≥0 / |Σ r<0| of period returns (not trades); NaN with no losses.",
     f"Reproduces {QS} profit_factor (which reports inf or 0 where this is NaN). freqtrade, "
     "LEAN, vectorbt compute it on trades: see trade_profit_factor."),
    ("common_sense_ratio", "Common sense ratio", "Win/loss", "ratio", True,
     "Profit factor × tail ratio.",
     f"Reproduces {QS}. pyfolio and vectorbt define tail ratio × (1 + annual return)."),
    ("cpc_index", "CPC index", "Win/loss", "ratio", True,
     "Profit factor × win rate × payoff ratio.", f"Reproduces {QS} cpc_index."),
    ("kelly_criterion", "Kelly criterion", "Win/loss", "percent", True,
     "Fixed-odds Kelly fraction w − (1 − w) / b, w = win days, b = payoff ratio.",
     f"Reproduces {QS} kelly_criterion (on periods, not trades)."),
    ("risk_of_ruin", "Risk of ruin", "Win/loss", "percent", False,
     "((1 − w) / (1 + w))^N, w = win days, N = observations; vanishes for long histories.",
     f"Reproduces {QS} risk_of_ruin."),
    ("max_consecutive_wins", "Max consecutive wins", "Win/loss", "count", True,
     "Longest run of positive periods; a flat or missing period ends a run.",
     f"Reproduces {QS} consecutive_wins."),
    ("max_consecutive_losses", "Max consecutive losses", "Win/loss", "count", False,
     "Longest run of negative periods; a flat or missing period ends a run.",
     f"Reproduces {QS} consecutive_losses."),
    # Periods
    ("mtd", "MTD", "Periods", "percent", True, _TRAIL.format(w="month start"), _TRAIL_REF),
    ("three_month", "3M", "Periods", "percent", True, _TRAIL.format(w="3 months"), _TRAIL_REF),
    ("six_month", "6M", "Periods", "percent", True, _TRAIL.format(w="6 months"), _TRAIL_REF),
    ("ytd", "YTD", "Periods", "percent", True, _TRAIL.format(w="year start"), _TRAIL_REF),
    ("one_year", "1Y", "Periods", "percent", True, _TRAIL.format(w="1 year"), _TRAIL_REF),
    ("three_year_ann", "3Y (ann.)", "Periods", "percent", True, _ANN.format(y=3),
     _ANN_REF.format(m=35)),
    ("five_year_ann", "5Y (ann.)", "Periods", "percent", True, _ANN.format(y=5),
     _ANN_REF.format(m=59)),
    ("ten_year_ann", "10Y (ann.)", "Periods", "percent", True, _ANN.format(y=10),
     _ANN_REF.format(m=119)),
    ("all_time_ann", "All-time (ann.)", "Periods", "percent", True,
     "CAGR over the whole life (same as cagr).", f"Reproduces {QS} 'All-time (ann.)'."),
    ("best_day", "Best day", "Periods", "percent", True, "Highest period return.",
     f"Reproduces {QS} best."),
    ("worst_day", "Worst day", "Periods", "percent", True, "Lowest period return.",
     f"Reproduces {QS} worst."),
    ("best_month", "Best month", "Periods", "percent", True,
     "Highest compounded calendar-month return.", f"Reproduces {QS} best(aggregate='ME')."),
    ("worst_month", "Worst month", "Periods", "percent", True,
     "Lowest compounded calendar-month return.", f"Reproduces {QS} worst(aggregate='ME')."),
    ("best_quarter", "Best quarter", "Periods", "percent", True,
     "Highest compounded calendar-quarter return.", f"As {QS} best(aggregate='QE')."),
    ("worst_quarter", "Worst quarter", "Periods", "percent", True,
     "Lowest compounded calendar-quarter return.", f"As {QS} worst(aggregate='QE')."),
    ("best_year", "Best year", "Periods", "percent", True,
     "Highest compounded calendar-year return.", f"Reproduces {QS} best(aggregate='YE')."),
    ("worst_year", "Worst year", "Periods", "percent", True,
     "Lowest compounded calendar-year return.", f"Reproduces {QS} worst(aggregate='YE')."),
    ("win_month", "Win months", "Periods", "percent", True,
     "Positive months / non-zero months, compounded monthly returns.",
     f"Reproduces {QS} win_rate(aggregate='ME')."),
    ("win_quarter", "Win quarters", "Periods", "percent", True,
     "Positive quarters / non-zero quarters.", f"Reproduces {QS} win_rate(aggregate='QE')."),
    ("win_year", "Win years", "Periods", "percent", True,
     "Positive years / non-zero years.", f"Reproduces {QS} win_rate(aggregate='YE')."),
    ("avg_up_month", "Average up month", "Periods", "percent", True,
     "Mean of the positive compounded monthly returns.", f"Reproduces {QS} 'Avg. Up Month'."),
    ("avg_down_month", "Average down month", "Periods", "percent", True,
     "Mean of the negative compounded monthly returns.",
     f"Reproduces {QS} 'Avg. Down Month'."),
    # Benchmark (paired observations: dates where strategy and benchmark both exist)
    ("alpha", "Alpha", "Benchmark", "percent", True,
     "Jensen's alpha compounded: (1 + mean(r − rf_p − β(b − rf_p)))^P − 1.",
     f"Reproduces {EM} alpha(risk_free = rf_p). {QS} reports P·mean(r − βb): with rf = 0, "
     "ours = (1 + QS / P)^P − 1."),
    ("beta", "Beta", "Benchmark", "ratio", None,
     "cov(r, b) / var(b) on paired observations.",
     f"Reproduces {QS} greeks beta and {EM} beta."),
    ("correlation", "Correlation", "Benchmark", "ratio", None,
     "Pearson correlation of r and b on paired observations.",
     f"Reproduces {QS} report 'Correlation'."),
    ("r_squared", "R²", "Benchmark", "ratio", None,
     "Correlation squared (R² of r regressed on b).", f"Reproduces {QS} r_squared."),
    ("tracking_error", "Tracking error", "Benchmark", "percent", False,
     "σ(r − b) × √P, ddof = 1.", "Standard annualised definition (LEAN)."),
    ("information_ratio", "Information ratio", "Benchmark", "ratio", True,
     "mean(r − b) / σ(r − b) × √P, annualised.",
     f"Differs from {QS} information_ratio and {EM} excess_sharpe, which are per period: "
     "ours = theirs × √P (×15.87 at P = 252). Annualised to sit on the Sharpe scale (LEAN)."),
    ("treynor_ratio", "Treynor ratio", "Benchmark", "ratio", True,
     "(CAGR − rf) / β.",
     f"LEAN's annualised form. {QS} uses (total return − rf) / β, which grows with history."),
    ("up_capture", "Up capture", "Benchmark", "ratio", True,
     "Annualised return on benchmark-up days / the benchmark's annualised return on them.",
     f"Reproduces {EM} up_capture."),
    ("down_capture", "Down capture", "Benchmark", "ratio", False,
     "Annualised return on benchmark-down days / the benchmark's annualised return on them.",
     f"Reproduces {EM} down_capture."),
    # Robustness
    ("probabilistic_sharpe", "Probabilistic Sharpe", "Robustness", "percent", True,
     "Φ(SR / σ̂), SR per period on r − rf_p, σ̂ = √((1 − γ₃SR + (γ₄ − 1)/4·SR²)/(N − 1)), "
     "γ₃ = skew, γ₄ = raw kurtosis (G2 + 3); P(true SR > 0).",
     f"Bailey & López de Prado (2012) with raw kurtosis; reproduces {QS} (fixed upstream). "
     "Older QS, LEAN and vectorbt put excess kurtosis in γ₄, understating σ̂² by ¾·SR²/(N − 1)."),
    ("deflated_sharpe", "Deflated Sharpe", "Robustness", "percent", True,
     "PSR against SR₀ = √V·((1 − γ)Φ⁻¹(1 − 1/T) + γΦ⁻¹(1 − 1/(T·e))), T trials, V the "
     "variance of the trials' Sharpe ratios (default: across the columns).",
     "Bailey & López de Prado (2014); raw kurtosis as in PSR. vectorbt uses excess kurtosis."),
    ("min_track_record_length", "Min. track record length", "Robustness", "count", False,
     "Periods needed for PSR(SR* = 0) ≥ 95%: 1 + (1 − γ₃SR + (γ₄ − 1)/4·SR²)(1.645 / SR)²; "
     "NaN if SR ≤ 0.",
     "Bailey & López de Prado (2012), raw kurtosis; compare with observations."),
    ("sharpe_std_error", "Sharpe standard error", "Robustness", "ratio", False,
     "σ̂ of the Sharpe ratio annualised: √((1 − γ₃SR + (γ₄ − 1)/4·SR²)/(N − 1)) × √P.",
     "Mertens (2002) / Bailey & López de Prado (2012), raw kurtosis."),
    ("stability", "Stability", "Robustness", "ratio", True,
     "R² of cumulative log return regressed on time.",
     f"Reproduces {EM} stability_of_timeseries."),
    # Trades
    ("trade_count", "Trades", "Trades", "count", None, f"Closed trades. {_TRADE}",
     "Stratwatch trade statistics; schema in data.metrics.trades."),
    ("trade_net_pnl", "Net P&L", "Trades", "amount", True, f"Σ pnl. {_TRADE}", "Standard."),
    ("trade_win_rate", "Trade win rate", "Trades", "percent", True,
     f"Trades with pnl > 0 / all trades (break-even trades count as not won). {_TRADE}",
     "freqtrade, LEAN convention."),
    ("trade_profit_factor", "Trade profit factor", "Trades", "ratio", True,
     f"Gross profit / gross loss; NaN with no losing trade. {_TRADE}",
     "freqtrade, LEAN, vectorbt convention (NaN rather than inf)."),
    ("trade_expectancy", "Expectancy", "Trades", "amount", True,
     f"Mean pnl per trade. {_TRADE}", "Standard."),
    ("trade_payoff_ratio", "Trade payoff ratio", "Trades", "ratio", True,
     f"Mean winning pnl / |mean losing pnl|. {_TRADE}", "Standard."),
    ("trade_avg_win", "Average winning trade", "Trades", "amount", True,
     f"Mean pnl of trades with pnl > 0. {_TRADE}", "Standard."),
    ("trade_avg_loss", "Average losing trade", "Trades", "amount", True,
     f"Mean pnl of trades with pnl < 0. {_TRADE}", "Standard."),
    ("trade_largest_win", "Largest win", "Trades", "amount", True,
     f"Largest winning pnl. {_TRADE}", "Standard."),
    ("trade_largest_loss", "Largest loss", "Trades", "amount", True,
     f"Largest losing pnl (most negative). {_TRADE}", "Standard."),
    ("trade_avg_holding_days", "Average holding time", "Trades", "days", None,
     f"Mean of exit_time − entry_time, in (fractional) calendar days. {_TRADE}", "Standard."),
    ("trade_max_consecutive_wins", "Max consecutive winning trades", "Trades", "count", True,
     f"Longest run of trades with pnl > 0, ordered by exit_time. {_TRADE}", "Standard."),
    ("trade_max_consecutive_losses", "Max consecutive losing trades", "Trades", "count", False,
     f"Longest run of trades with pnl < 0, ordered by exit_time. {_TRADE}", "Standard."),
)
# fmt: on
