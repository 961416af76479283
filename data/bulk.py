"""Idempotent bulk upserts: COPY (binary) on PostgreSQL, INSERT ... ON CONFLICT on SQLite."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Table, or_, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

SQLITE_CHUNK = 5_000
COPY_CHUNK = 50_000
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 UTC in Unix microseconds: binary timestamptz origin
PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
PG_TRAILER = b"\xff\xff"


def upsert_frame(
    session: Session,
    table: Table,
    frame: pd.DataFrame,
    keys: Sequence[str],
    constants: Mapping[str, object] | None = None,
    time_column: str | None = None,
) -> int:
    """Upsert `frame` (plus `constants` on every row) into `table` on `keys`; return rows changed.

    Rows whose key exists are updated only when a value differs, so a repeated write is a no-op.
    With `time_column`, rows for a time range that holds nothing yet are COPYed straight in.
    """
    if frame.empty:
        return 0
    constants = dict(constants or {})
    if session.get_bind().dialect.name != "postgresql":
        return _sqlite_upsert(session, table, frame.assign(**constants), keys)
    if time_column and not _overlaps(session, table, frame[time_column], constants, time_column):
        return _copy_into(session, table.name, frame.assign(**constants), table)
    return _copy_upsert(session, table, frame, keys, constants)


def _overlaps(
    session: Session,
    table: Table,
    times: pd.Series,
    constants: dict[str, object],
    time_column: str,
) -> bool:
    same = " AND ".join(f"{name} = :c_{name}" for name in constants) or "TRUE"
    found = session.execute(
        text(
            f"SELECT 1 FROM {table.name} WHERE {same} AND {time_column} BETWEEN :lo AND :hi LIMIT 1"
        ),
        {**{f"c_{k}": v for k, v in constants.items()}, "lo": times.min(), "hi": times.max()},
    ).first()
    return found is not None


def _copy_into(session: Session, target: str, frame: pd.DataFrame, table: Table) -> int:
    """COPY `frame` into `target`, in binary when every column allows it."""
    binary = _binary_types(table, frame)
    raw = session.connection().connection.driver_connection
    options = " (FORMAT BINARY)" if binary else ""
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {target} ({', '.join(frame.columns)}) FROM STDIN{options}") as copy,
    ):
        copy.write(_binary_payload(frame, binary) if binary else _text_payload(frame))
    return len(frame)


def _sqlite_upsert(session: Session, table: Table, frame: pd.DataFrame, keys: Sequence[str]) -> int:
    values = [c for c in frame.columns if c not in keys]
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    changed = 0
    for start in range(0, len(records), SQLITE_CHUNK):
        stmt = sqlite_insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: stmt.excluded[c] for c in values},
            where=or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in values)),
        )
        changed += session.execute(stmt, records[start : start + SQLITE_CHUNK]).rowcount
    return changed


def _copy_upsert(
    session: Session,
    table: Table,
    frame: pd.DataFrame,
    keys: Sequence[str],
    constants: dict[str, object],
) -> int:
    staged = list(frame.columns)
    stage = f"_stage_{table.name}"
    session.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    session.execute(  # the staged columns' types without their constraints
        text(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {', '.join(staged)} FROM {table.name} WITH NO DATA"
        )
    )
    _copy_into(session, stage, frame, table)
    columns = [*constants, *staged]
    params = {f"c_{name}": value for name, value in constants.items()}
    selected = [f":c_{name}" for name in constants] + staged
    sql = _insert_sql(table.name, stage, columns, selected, keys)
    return session.execute(text(sql), params).rowcount


def _insert_sql(
    name: str, stage: str, columns: list[str], selected: list[str], keys: Sequence[str]
) -> str:
    values = [c for c in columns if c not in keys]
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in values)
    changed = " OR ".join(f"{name}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in values)
    conflict = f"DO UPDATE SET {assignments} WHERE {changed}" if values else "DO NOTHING"
    return (
        f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(selected)} FROM {stage} "
        f"ON CONFLICT ({', '.join(keys)}) {conflict}"
    )


def _binary_types(table: Table, frame: pd.DataFrame) -> dict[str, str] | None:
    """PostgreSQL binary type per column, or None when a column needs the text format."""
    types: dict[str, str] = {}
    for name in frame.columns:
        column_type = table.c[name].type
        impl = getattr(column_type, "impl", column_type)
        if isinstance(impl, DateTime) and isinstance(frame[name].dtype, pd.DatetimeTZDtype):
            types[name] = "timestamptz"
        elif isinstance(impl, BigInteger):
            types[name] = "int8"
        elif isinstance(impl, Integer) and not isinstance(impl, Boolean):
            types[name] = "int4"
        elif isinstance(impl, Float) and np.issubdtype(frame[name].dtype, np.number):
            types[name] = "float8"
        elif isinstance(impl, String) and _constant_text(frame[name]):
            types[name] = "text"
        else:
            return None
    return types


def _constant_text(series: pd.Series) -> bool:
    return (
        series.dtype == object
        and series.nunique(dropna=False) == 1
        and isinstance(series.iloc[0], str)
    )


_WIRE = {"timestamptz": ">i8", "int8": ">i8", "int4": ">i4", "float8": ">f8"}


def _binary_payload(frame: pd.DataFrame, types: dict[str, str]) -> bytes:
    """A whole COPY BINARY payload: header, rows, trailer."""
    return PG_HEADER + _binary_rows(frame, types) + PG_TRAILER


def _binary_rows(frame: pd.DataFrame, types: dict[str, str]) -> bytes:
    """Rows in COPY BINARY format, built column-wise with NumPy (no Python loop over rows).

    Rows are fixed-width, so a missing float travels as NaN (PostgreSQL stores NaN; SQLite, which
    takes the INSERT path, stores NULL; both read back as NaN).
    """
    fields: list[tuple[str, str]] = [("count", ">i2")]
    wire = {name: _wire_type(frame[name], kind) for name, kind in types.items()}
    for i, dtype in enumerate(wire.values()):
        fields += [(f"len{i}", ">i4"), (f"val{i}", dtype)]
    rows = np.empty(len(frame), dtype=np.dtype(fields))
    rows["count"] = len(types)
    for i, (name, kind) in enumerate(types.items()):
        rows[f"len{i}"] = np.dtype(wire[name]).itemsize
        rows[f"val{i}"] = _wire_values(frame[name], kind)
    return rows.tobytes()


def _wire_type(series: pd.Series, kind: str) -> str:
    if kind == "text":  # a constant string: fixed width, so the row layout stays fixed
        return f"S{len(series.iloc[0].encode())}"
    return _WIRE[kind]


def _wire_values(series: pd.Series, kind: str) -> np.ndarray:
    if kind == "text":
        return np.full(len(series), series.iloc[0].encode())
    if kind == "timestamptz":
        micros = series.dt.tz_convert("UTC").dt.as_unit("us").array.asi8
        return micros - PG_EPOCH_US
    if kind == "float8":
        return series.to_numpy(float, na_value=np.nan)
    values = series.to_numpy()
    if pd.isna(values).any():
        raise ValueError(f"{series.name}: integer column has missing values")
    return values.astype(np.int64)


def _text_payload(frame: pd.DataFrame) -> str:
    """Rows in COPY text format: tab-separated, \\N for NULL, escaped strings."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_escape)
    buffer = io.StringIO()  # pandas writes floats at full precision and timestamps with offset
    out.to_csv(buffer, sep="\t", header=False, index=False, na_rep="\\N", quoting=3)
    return buffer.getvalue()


def _escape(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
