"""Kernel inspector for jupyterlab-claude: summaries of the live data in a Python kernel.

The front end bundles this file as text (src/kernel/python.ts) and runs it with one silent,
history-free request:

    (lambda f: f.f_builtins["exec"](SOURCE, {"__builtins__": f.f_builtins,
        "__name__": "__jupyterlab_claude_inspector__", "_USER_NS": f.f_globals,
        "_PARAMS": "<JSON text>"}))((_ for _ in ()).gi_frame)

That line looks up no name in the user's namespace (the frame of an unstarted generator gives
the real builtins and the user's globals), so a user global named `__import__`, `exec` or
`globals` cannot break it. Everything below lives in the fresh dict, so the user's namespace
gets no new names, and every name below resolves in that dict and then in the builtins passed
explicitly: a user's `len`, `str`, `json` or `pd` is never used. It only looks at libraries the
user already imported (it reads sys.modules and class names, and never imports pandas, numpy,
polars, dask, xarray or pyspark), never computes lazy frames, and its cost does not grow with
the number of rows. The reply is one JSON line on stdout.

A variable whose code misbehaves in any way (raises anything, even SystemExit or
KeyboardInterrupt, returns the wrong type, has a non-text `__module__`) costs only its own
entry, which then carries an "error" with a short reason; the time limits still bound the
whole inspection.
"""

import itertools
import json
import reprlib
import signal
import sys
import time
import types
import warnings

ENTRY_NAME = "__jupyterlab_claude_inspector__"

DEFAULTS = {
    "mode": "list",  # "list": every user variable; "detail": one variable in more depth
    "max_variables": 100,
    "max_rows": 5,  # rows from the head and from the tail of each frame
    "max_columns": 30,
    "max_values": 10,  # values shown for arrays and series
    "max_cell_chars": 60,
    "max_repr_chars": 200,
    "max_reply_bytes": 65536,
    "budget_seconds": 2.0,
    "per_variable_seconds": 0.5,
    # detail mode
    "name": None,
    "start": None,
    "stop": None,
    "column": None,
    "stats": False,
    "max_slice_rows": 50,
    "max_detail_columns": 200,
    "max_unique_rows": 2000000,  # distinct values are counted only up to this many rows
}

# IPython's own names, besides those in user_ns_hidden.
SKIPPED_NAMES = {"In", "Out", "exit", "quit", "get_ipython"}
SKIPPED_TYPES = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.BuiltinMethodType,
)

# (top-level module, class name) anywhere in a value's MRO -> how to summarise it.
KINDS = {
    ("pandas", "DataFrame"): "pandas-frame",
    ("pandas", "Series"): "pandas-series",
    ("pandas", "Index"): "pandas-index",
    ("polars", "DataFrame"): "polars-frame",
    ("polars", "LazyFrame"): "polars-lazy",
    ("polars", "Series"): "polars-series",
    ("numpy", "ndarray"): "numpy-array",
    ("numpy", "generic"): "numpy-scalar",
    ("xarray", "DataArray"): "xarray-array",
    ("xarray", "Dataset"): "xarray-dataset",
    ("dask", "DataFrame"): "dask-frame",
    ("dask", "Series"): "dask-series",
    ("dask_expr", "DataFrame"): "dask-frame",
    ("dask_expr", "Series"): "dask-series",
    ("dask", "Array"): "dask-array",
    ("pyspark", "DataFrame"): "spark-frame",
    ("builtins", "bool"): "scalar",
    ("builtins", "int"): "scalar",
    ("builtins", "float"): "scalar",
    ("builtins", "complex"): "scalar",
    ("builtins", "NoneType"): "scalar",
    ("builtins", "str"): "text",
    ("builtins", "bytes"): "text",
    ("builtins", "bytearray"): "text",
    ("builtins", "list"): "collection",
    ("builtins", "tuple"): "collection",
    ("builtins", "dict"): "collection",
    ("builtins", "set"): "collection",
    ("builtins", "frozenset"): "collection",
}
DATA_LIBRARIES = ("pandas", "numpy", "polars", "dask", "xarray", "pyspark")
# Libraries whose objects may run a query or a computation to build their repr.
OPAQUE_LIBRARIES = ("polars", "dask", "xarray", "pyspark", "ibis", "modin", "cudf", "vaex", "duckdb")
SIZED_BUILTINS = (str, bytes, bytearray, list, tuple, dict, set, frozenset)


class InspectionTimeout(BaseException):
    """Raised inside a slow variable's code; BaseException so "except Exception" cannot swallow it."""


class TimeGuard:
    """Interrupts the main thread after a deadline with SIGALRM; a no-op where that is unavailable."""

    def __init__(self):
        self.usable = False
        self.armed = False
        self.previous_handler = None

    def install(self):
        if not (hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")):
            return
        try:
            if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
                return  # the user has a timer running: leave it alone
            self.previous_handler = signal.signal(signal.SIGALRM, self.fire)
            self.usable = True
        except (ValueError, OSError):
            pass  # not the main thread

    def uninstall(self):
        if self.usable:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous_handler)
            self.usable = False

    def fire(self, signum, frame):
        if self.armed:
            raise InspectionTimeout()

    def arm(self, seconds):
        if self.usable:
            self.armed = True
            # Fires again every 50 ms in case slow code catches the first one.
            signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01), 0.05)

    def disarm(self):
        if self.usable:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)


class CappedRepr(reprlib.Repr):
    """reprlib with caps that never sorts or fully renders big containers or data objects."""

    def __init__(self, cap):
        reprlib.Repr.__init__(self)
        self.maxstring = cap
        self.maxother = cap
        self.maxlong = 40
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = 8
        self.maxdeque = self.maxarray = self.maxdict = 8

    def repr1(self, x, level):
        # reprlib picks its repr_<class name> method by name alone: a user class called "int"
        # or "dict" gets the generic path, so those methods only see the real types.
        if module_root(type(x)) in ("builtins", "collections", "array"):
            return reprlib.Repr.repr1(self, x, level)
        return self.repr_instance(x, level)

    def repr_dict(self, x, level):
        n = dict.__len__(x)
        if n == 0:
            return "{}"
        if level <= 0:
            return "{...}"
        parts = [
            self.repr1(k, level - 1) + ": " + self.repr1(v, level - 1)
            for k, v in itertools.islice(dict.items(x), self.maxdict)
        ]
        if n > self.maxdict:
            parts.append("...")
        return "{" + ", ".join(parts) + "}"

    def _repr_unordered(self, x, level, left, right, limit):
        if level <= 0:
            return left + "..." + right
        parts = [self.repr1(v, level - 1) for v in itertools.islice(iter(x), limit)]
        if len(parts) == limit:
            parts.append("...")
        return left + ", ".join(parts) + right

    def repr_set(self, x, level):
        return self._repr_unordered(x, level, "{", "}", self.maxset) if x else "set()"

    def repr_frozenset(self, x, level):
        return self._repr_unordered(x, level, "frozenset({", "})", self.maxfrozenset)

    def repr_instance(self, x, level):
        klass = type(x)
        root = module_root(klass)
        if root in OPAQUE_LIBRARIES or (root in DATA_LIBRARIES and level < self.maxlevel):
            return "<" + type_name(x) + ">"
        for base, method in ((dict, self.repr_dict), (list, self.repr_list), (tuple, self.repr_tuple)):
            if issubclass(klass, base):
                return type_name(x) + "(" + method(x, level) + ")"
        if issubclass(klass, (set, frozenset)):
            return type_name(x) + "(" + self._repr_unordered(x, level, "{", "}", self.maxset) + ")"
        return self.own_repr(x, self.maxother)

    def own_repr(self, x, cap):
        """The object's own repr, capped; one that raises or is not text shows as its type."""
        try:
            shown = text(repr(x), None)  # a str subclass is copied, so its methods never run
        except Exception:
            shown = None
        if shown is None:
            return f"<{class_name(type(x))} instance at {id(x):#x}>"
        if len(shown) > cap:
            i = max(0, (cap - 3) // 2)
            shown = shown[:i] + "..." + shown[len(shown) - max(0, cap - 3 - i) :]
        return shown

    def repr_int(self, x, level):
        # repr() of an int above 4300 digits raises, and takes quadratic time below that.
        if int.bit_length(x) > 256:
            return int_text(x)
        return reprlib.Repr.repr_int(self, x, level)


# Read a class's name and module through type's own descriptors, so a metaclass or a class
# attribute cannot run code or hand back something that is not text.
_TYPE_NAME = type.__dict__["__name__"].__get__
_TYPE_MODULE = type.__dict__["__module__"].__get__


def text(value, fallback="?"):
    """An exact str: a str subclass is copied without running its methods; anything else is fallback."""
    if type(value) is str:
        return value
    if issubclass(type(value), str):
        return str.__str__(value)
    return fallback


def class_name(klass):
    try:
        return text(_TYPE_NAME(klass))
    except Exception:
        return "?"


def module_root(klass):
    try:
        return text(_TYPE_MODULE(klass), "").split(".")[0]
    except Exception:
        return ""


def type_name(value):
    klass = type(value)
    root = module_root(klass)
    name = class_name(klass)
    return name if root in ("builtins", "") else root + "." + name


def classify(value):
    for klass in type.__dict__["__mro__"].__get__(type(value)):
        kind = KINDS.get((module_root(klass), class_name(klass)))
        if kind:
            return kind
    return "object"


def clip(value, cap):
    value = text(value, "<not text>")
    return value if len(value) <= cap else value[: max(cap - 1, 0)] + "\u2026"


def int_text(value):
    # repr() of an int above 4300 digits raises, and takes quadratic time below that.
    return f"<int of {int.bit_length(value)} bits>"


def kind_of(value, bases):
    """isinstance without the instance's own __class__ (a property there could run code)."""
    return issubclass(type(value), bases)


def plain(value):
    """A JSON-safe Python value: numpy scalars unwrapped, NaN/inf and huge ints as strings."""
    if module_root(type(value)) == "numpy" and hasattr(type(value), "item"):
        try:
            value = value.item()
        except Exception:
            return clip(str(value), 200)
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        # json.dumps of an int above 4300 digits raises, and a long one says nothing useful.
        return value if int.bit_length(value) <= 64 else int_text(value)
    if type(value) is float:
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    return clip(str(value), 200)


class Inspector:
    def __init__(self, user_ns, options):
        self.ns = user_ns
        self.o = options
        self.cell_repr = CappedRepr(options["max_cell_chars"])
        self.value_repr = CappedRepr(options["max_repr_chars"])

    # -- small helpers --------------------------------------------------------------------

    def cell(self, value):
        cap = self.o["max_cell_chars"]
        try:
            if module_root(type(value)) == "numpy" and hasattr(type(value), "item"):
                value = value.item()
            if value is None or kind_of(value, str):
                shown = str(value)
            elif kind_of(value, int) and int.bit_length(value) > 256:
                shown = int_text(value)
            elif kind_of(value, (bool, int, float)):
                shown = repr(value)
            elif module_root(type(value)) in ("pandas", "datetime", "decimal"):
                shown = str(value)
            else:
                shown = self.cell_repr.repr(value)
        except InspectionTimeout:
            raise
        except BaseException:  # one odd cell costs only itself, whatever it raises
            shown = "<" + type_name(value) + ">"
        return clip(shown, cap)

    def label(self, value):
        return self.cell(value)

    def sized_len(self, value):
        for base in SIZED_BUILTINS:
            if kind_of(value, base):
                return base.__len__(value)  # the builtin's own length: no user __len__ runs
        return None

    # -- entries --------------------------------------------------------------------------

    def describe(self, name, value, detail=False):
        kind = classify(value)
        entry = {"name": name, "type": type_name(value), "kind": kind}
        handler = getattr(self, "describe_" + kind.replace("-", "_"))
        handler(value, entry, detail)
        wanted = [self.o[k] is not None for k in ("start", "stop", "column")] + [self.o["stats"]]
        if detail and entry.get("lazy") and any(wanted):
            entry["refused"] = "rows and statistics of a lazy frame would need computing it: not done"
        return entry

    def columns_limit(self, detail):
        return self.o["max_detail_columns"] if detail else self.o["max_columns"]

    def row_window(self, nrows, detail):
        """(head, tail) row ranges to show, or a requested slice in detail mode."""
        n = self.o["max_rows"]
        start, stop = self.o["start"], self.o["stop"]
        if detail and (start is not None or stop is not None):
            start = 0 if start is None else int(start)
            stop = nrows if stop is None else int(stop)
            start = max(nrows + start, 0) if start < 0 else min(start, nrows)
            stop = max(nrows + stop, 0) if stop < 0 else min(stop, nrows)
            stop = max(start, min(stop, start + self.o["max_slice_rows"]))
            return (start, stop), None
        head = (0, min(n, nrows))
        tail = (max(nrows - n, head[1]), nrows) if nrows > head[1] else None
        return head, tail

    def describe_pandas_frame(self, df, entry, detail):
        nrows, ncols = (int(x) for x in df.shape)
        entry["shape"] = [nrows, ncols]
        k = self.columns_limit(detail)
        dtypes = df.dtypes.iloc[:k]
        entry["columns"] = [[self.label(c), str(t)] for c, t in zip(df.columns[:k], dtypes)]
        if ncols > k:
            entry["columns_omitted"] = ncols - k
        entry["index"] = {"type": class_name(type(df.index)), "dtype": str(df.index.dtype)}
        entry["memory_bytes"] = int(df.memory_usage(index=True, deep=False).sum())
        if any(str(t) == "object" for t in df.dtypes):
            entry["memory_note"] = "shallow: Python objects counted as pointers"
        head, tail = self.row_window(nrows, detail)
        part = df.iloc[:, :k]
        entry["row_columns"] = [self.label(c) for c in part.columns]
        entry["head"] = self.pandas_rows(part.iloc[head[0] : head[1]])
        if head != (0, min(self.o["max_rows"], nrows)):
            entry["slice"] = list(head)
        if tail:
            entry["tail"] = self.pandas_rows(part.iloc[tail[0] : tail[1]])
        if detail and self.o["column"] is not None:
            column = self.o["column"]
            if column not in df.columns:
                raise KeyError(f"no column {column!r}")
            series = df[column]
            if classify(series) != "pandas-series":
                raise ValueError(f"column {column!r} is not unique")
            entry["column_stats"] = self.pandas_stats(series, column)

    def pandas_rows(self, part):
        return [
            [self.label(i)] + [self.cell(v) for v in row]
            for i, row in zip(part.index, part.itertuples(index=False, name=None))
        ]

    def pandas_stats(self, s, label):
        pd = sys.modules["pandas"]
        n = int(s.shape[0])
        nulls = int(s.isna().sum())
        stats = {"column": self.label(label), "dtype": str(s.dtype), "count": n - nulls, "nulls": nulls}
        dtype = s.dtype
        if pd.api.types.is_bool_dtype(dtype):
            stats["true"] = int(s.sum())
        elif pd.api.types.is_numeric_dtype(dtype):
            stats.update(min=plain(s.min()), max=plain(s.max()), mean=plain(s.mean()), std=plain(s.std()))
        elif pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            stats.update(min=plain(s.min()), max=plain(s.max()))
        elif n <= self.o["max_unique_rows"]:
            counts = s.value_counts(dropna=True)
            stats["distinct"] = int(counts.shape[0])
            stats["top"] = [[self.cell(v), int(c)] for v, c in counts.head(5).items()]
        else:
            stats["note"] = f"distinct values not counted above {self.o['max_unique_rows']:d} rows"
        return stats

    def describe_pandas_series(self, s, entry, detail):
        n = int(s.shape[0])
        entry.update(shape=[n], dtype=str(s.dtype), series_name=self.label(s.name))
        entry["memory_bytes"] = int(s.memory_usage(index=True, deep=False))
        head, tail = self.row_window(n, detail)
        entry["head"] = [[self.label(i), self.cell(v)] for i, v in s.iloc[head[0] : head[1]].items()]
        if tail:
            entry["tail"] = [[self.label(i), self.cell(v)] for i, v in s.iloc[tail[0] : tail[1]].items()]
        if detail and (self.o["stats"] or self.o["column"] is not None):
            entry["column_stats"] = self.pandas_stats(s, s.name)

    def describe_pandas_index(self, idx, entry, detail):
        n = int(idx.shape[0])
        entry.update(shape=[n], dtype=str(idx.dtype))
        entry["values"] = [self.cell(v) for v in idx[: self.o["max_values"]]]

    def describe_polars_frame(self, df, entry, detail):
        nrows, ncols = int(df.height), int(df.width)
        entry["shape"] = [nrows, ncols]
        k = self.columns_limit(detail)
        schema = list(itertools.islice(df.schema.items(), k))
        entry["columns"] = [[str(c), str(t)] for c, t in schema]
        if ncols > k:
            entry["columns_omitted"] = ncols - k
        entry["memory_bytes"] = int(df.estimated_size())
        names = [c for c, _ in schema]
        part = df.select(names)
        entry["row_columns"] = names
        head, tail = self.row_window(nrows, detail)
        entry["head"] = self.polars_rows(part.slice(head[0], head[1] - head[0]), head[0])
        if head != (0, min(self.o["max_rows"], nrows)):
            entry["slice"] = list(head)
        if tail:
            entry["tail"] = self.polars_rows(part.slice(tail[0], tail[1] - tail[0]), tail[0])
        if detail and self.o["column"] is not None:
            entry["column_stats"] = self.polars_stats(df.get_column(str(self.o["column"])))

    def polars_rows(self, part, first):
        return [[str(first + i)] + [self.cell(v) for v in row] for i, row in enumerate(part.rows())]

    def polars_stats(self, s):
        n = int(s.len())
        nulls = int(s.null_count())
        stats = {"column": str(s.name), "dtype": str(s.dtype), "count": n - nulls, "nulls": nulls}
        dtype = s.dtype
        if dtype.is_numeric():
            stats.update(min=plain(s.min()), max=plain(s.max()), mean=plain(s.mean()), std=plain(s.std()))
        elif dtype.is_temporal():
            stats.update(min=plain(s.min()), max=plain(s.max()))
        elif n <= self.o["max_unique_rows"]:
            counts = s.drop_nulls().value_counts(sort=True)
            stats["distinct"] = int(counts.height)
            stats["top"] = [[self.cell(v), int(c)] for v, c in counts.head(5).rows()]
        else:
            stats["note"] = f"distinct values not counted above {self.o['max_unique_rows']:d} rows"
        return stats

    def describe_polars_series(self, s, entry, detail):
        n = int(s.len())
        entry.update(shape=[n], dtype=str(s.dtype), series_name=str(s.name))
        entry["memory_bytes"] = int(s.estimated_size())
        head, tail = self.row_window(n, detail)
        entry["head"] = [
            [str(head[0] + i), self.cell(v)] for i, v in enumerate(s.slice(head[0], head[1] - head[0]).to_list())
        ]
        if tail:
            entry["tail"] = [
                [str(tail[0] + i), self.cell(v)] for i, v in enumerate(s.slice(tail[0], tail[1] - tail[0]).to_list())
            ]
        if detail and (self.o["stats"] or self.o["column"] is not None):
            entry["column_stats"] = self.polars_stats(s)

    def describe_polars_lazy(self, lf, entry, detail):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # collect_schema() resolves the plan's schema without running the query.
            schema = lf.collect_schema() if hasattr(lf, "collect_schema") else lf.schema
        self.lazy_columns(entry, [(str(c), str(t)) for c, t in schema.items()], detail)
        entry["lazy"] = True
        entry["note"] = "lazy: not collected; row count unknown"

    def lazy_columns(self, entry, pairs, detail):
        k = self.columns_limit(detail)
        entry["shape"] = [None, len(pairs)]
        entry["columns"] = [list(p) for p in pairs[:k]]
        if len(pairs) > k:
            entry["columns_omitted"] = len(pairs) - k

    def describe_dask_frame(self, ddf, entry, detail):
        meta = ddf._meta  # an empty pandas frame with the right columns and dtypes
        self.lazy_columns(entry, [(self.label(c), str(t)) for c, t in meta.dtypes.items()], detail)
        entry["lazy"] = True
        entry["npartitions"] = int(ddf.npartitions)
        entry["note"] = "lazy: not computed; row count unknown"

    def describe_dask_series(self, ds, entry, detail):
        meta = ds._meta
        entry.update(shape=[None], dtype=str(meta.dtype), series_name=self.label(meta.name))
        entry["lazy"] = True
        entry["npartitions"] = int(ds.npartitions)
        entry["note"] = "lazy: not computed; length unknown"

    def describe_dask_array(self, arr, entry, detail):
        entry["shape"] = [None if d != d else int(d) for d in arr.shape]
        entry["dtype"] = str(arr.dtype)
        entry["chunksize"] = [int(d) if d == d else None for d in arr.chunksize]
        entry["npartitions"] = int(arr.npartitions)
        entry["lazy"] = True
        entry["note"] = "lazy: not computed"

    def describe_spark_frame(self, sdf, entry, detail):
        fields = sdf.schema.fields  # the plan's schema; count() or collect() would run a job
        self.lazy_columns(entry, [(str(f.name), f.dataType.simpleString()) for f in fields], detail)
        entry["lazy"] = True
        entry["note"] = "Spark: schema only; not computed"

    def describe_numpy_array(self, arr, entry, detail):
        shape = [int(d) for d in arr.shape]
        entry.update(shape=shape, dtype=str(arr.dtype), memory_bytes=int(arr.nbytes))
        if detail and (self.o["start"] is not None or self.o["stop"] is not None) and shape:
            window, _ = self.row_window(shape[0], True)
            part = arr[window[0] : window[1]]
            entry["slice"] = list(window)
            entry["values"] = [self.cell(v) for v in part.flat[: self.o["max_slice_rows"] * 10]]
        else:
            entry["values"] = [self.cell(v) for v in arr.flat[: self.o["max_values"]].tolist()]
        if detail and self.o["stats"] and arr.dtype.kind in "biuf":
            np = sys.modules["numpy"]
            flat = arr.reshape(-1)
            nulls = int(np.isnan(flat).sum()) if arr.dtype.kind == "f" else 0
            stats = {"dtype": str(arr.dtype), "count": int(flat.shape[0]) - nulls, "nulls": nulls}
            if flat.shape[0] > nulls:
                stats.update(
                    min=plain(np.nanmin(flat)),
                    max=plain(np.nanmax(flat)),
                    mean=plain(np.nanmean(flat)),
                    std=plain(np.nanstd(flat)),
                )
            entry["column_stats"] = stats

    def describe_numpy_scalar(self, value, entry, detail):
        entry.update(dtype=str(value.dtype), value=self.cell(value))

    def xarray_coords(self, coords):
        k = self.o["max_columns"]
        return [
            [str(name), [str(d) for d in coords[name].dims], int(coords[name].size), str(coords[name].dtype)]
            for name in itertools.islice(coords, k)
        ]

    def describe_xarray_array(self, da, entry, detail):
        entry["dims"] = {str(d): int(n) for d, n in da.sizes.items()}
        entry["shape"] = [int(n) for n in da.shape]
        entry.update(dtype=str(da.dtype), series_name=self.label(da.name), memory_bytes=int(da.nbytes))
        entry["coords"] = self.xarray_coords(da.coords)
        if da.chunks is not None:
            entry["lazy"] = True
            entry["note"] = "dask-backed: not computed"

    def describe_xarray_dataset(self, ds, entry, detail):
        entry["dims"] = {str(d): int(n) for d, n in ds.sizes.items()}
        entry["memory_bytes"] = int(ds.nbytes)
        entry["coords"] = self.xarray_coords(ds.coords)
        k = self.columns_limit(detail)
        names = list(ds.data_vars)
        entry["data_vars"] = [[str(n), [str(d) for d in ds[n].dims], str(ds[n].dtype)] for n in names[:k]]
        if len(names) > k:
            entry["columns_omitted"] = len(names) - k

    def describe_scalar(self, value, entry, detail):
        if kind_of(value, int) and int.bit_length(value) > 256:
            entry["value"] = int_text(value)
        else:
            entry["value"] = clip(self.value_repr.repr(value), self.o["max_repr_chars"])

    def describe_text(self, value, entry, detail):
        cap = self.o["max_repr_chars"]
        entry["length"] = self.sized_len(value)
        for base in (str, bytes, bytearray):
            if kind_of(value, base):
                # Slice with the builtin first, so a long text is never rendered whole.
                entry["value"] = clip(repr(base(base.__getitem__(value, slice(0, cap)))), cap + 3)
                break

    def describe_collection(self, value, entry, detail):
        entry["length"] = self.sized_len(value)
        entry["value"] = clip(self.value_repr.repr(value), self.o["max_repr_chars"])

    def describe_object(self, value, entry, detail):
        klass = type(value)
        # Only what the class itself declares: getattr on the instance could run __getattr__.
        if hasattr(klass, "__len__"):
            try:
                entry["length"] = int(len(value))
            except InspectionTimeout:
                raise
            except BaseException as exc:  # SystemExit or KeyboardInterrupt from a __len__ too
                entry["length_error"] = class_name(type(exc))
        if hasattr(klass, "shape"):
            try:
                entry["shape"] = [plain(d) for d in tuple(value.shape)]
                if hasattr(klass, "dtype"):
                    entry["dtype"] = str(value.dtype)
            except InspectionTimeout:
                raise
            except BaseException as exc:
                entry["shape_error"] = class_name(type(exc))
        entry["value"] = clip(self.value_repr.repr(value), self.o["max_repr_chars"])


def user_variables(user_ns):
    ipython = sys.modules.get("IPython")
    hidden = {}
    try:
        shell = ipython.get_ipython() if ipython is not None else None
        hidden = getattr(shell, "user_ns_hidden", None) or {}
        if type(hidden) is not dict:
            hidden = {}
    except Exception:
        hidden = {}
    for key in list(dict.keys(user_ns)):
        # A str subclass as a key is read as plain text, so none of its methods run.
        name = text(key, None)
        if name is None or name.startswith("_") or name in SKIPPED_NAMES:
            continue
        try:
            value = dict.__getitem__(user_ns, key)
        except BaseException:
            continue
        if name in hidden and hidden[name] is value:
            continue
        if issubclass(type(value), SKIPPED_TYPES):  # type(), not isinstance: no __class__ lookups
            continue
        yield name, value


def error_entry(name, value, message):
    """The entry of a variable that could not be summarised; reads nothing the value controls."""
    try:
        return {"name": name, "type": type_name(value), "kind": classify(value), "error": message}
    except Exception:
        return {"name": name, "type": "?", "kind": "object", "error": message}


def check_encodable(entry):
    """Raise unless the entry is plain JSON the browser can parse (no NaN, no huge int, no object)."""
    json.dumps(entry, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return entry


def run_guarded(guard, seconds, fn, *args):
    """fn(*args), or raise InspectionTimeout once the seconds have passed (where signals allow)."""
    try:
        guard.arm(seconds)
        return fn(*args)
    finally:
        guard.disarm()


def describe_safely(inspector, guard, name, value, seconds, detail):
    """One variable's entry; whatever its code raises costs only this entry."""
    try:
        return run_guarded(guard, seconds, lambda: check_encodable(inspector.describe(name, value, detail)))
    except InspectionTimeout:
        return error_entry(name, value, f"gave up after {seconds:.1f} s")
    except BaseException as exc:  # SystemExit, KeyboardInterrupt or a user's own BaseException too
        kind = class_name(type(exc))
        try:
            said = text(run_guarded(guard, 0.1, str, exc), "")
        except BaseException:
            said = ""
        return error_entry(name, value, clip(kind + ": " + said if said else kind, 200))


def encoded_size(reply):
    return len(json.dumps(reply, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))


def drop_tail(entry):
    return entry.pop("tail", None) is not None


def shorten_head(entry):
    if len(entry.get("head", [])) <= 2:
        return False
    entry["head"] = entry["head"][:2]
    return True


def narrow_columns(entry):
    return len(entry.get("columns", [])) > 10 and trim_columns(entry, 10)


def drop_previews(entry):
    return any([entry.pop(key, None) is not None for key in ("head", "values", "value", "coords")])


def fit_reply(reply, limit):
    """Trim rows, then columns, then whole variables until the reply is at most limit bytes."""
    entries = reply.get("variables") or ([reply["variable"]] if reply.get("variable") else [])
    steps = (
        ("tail rows", drop_tail),
        ("head rows beyond 2", shorten_head),
        ("columns beyond 10", narrow_columns),
        ("row and value previews", drop_previews),
    )
    for label, step in steps:
        if encoded_size(reply) <= limit:
            return
        if any([step(e) for e in entries]):
            reply["trimmed"].append(label)
    variables = reply.get("variables")
    if variables is not None and encoded_size(reply) > limit:
        sizes = [encoded_size(e) + 1 for e in variables]
        excess = encoded_size(reply) - limit + 400  # room for the note below
        dropped = []
        while variables and excess > 0:
            excess -= sizes.pop()
            dropped.append(variables.pop()["name"])
        reply["trimmed"].append(f"{len(dropped)} variables: {clip(', '.join(reversed(dropped)), 300)}")


def trim_columns(entry, k):
    total = len(entry["columns"]) + entry.get("columns_omitted", 0)
    entry["columns"] = entry["columns"][:k]
    entry["columns_omitted"] = total - k
    if "row_columns" in entry:
        entry["row_columns"] = entry["row_columns"][:k]
        for key in ("head", "tail"):
            if key in entry:
                entry[key] = [row[: k + 1] for row in entry[key]]
    return True


def libraries():
    found = {}
    for name in DATA_LIBRARIES:
        module = sys.modules.get(name)
        if module is not None:
            try:
                found[name] = clip(text(str(getattr(module, "__version__", "")), ""), 40)
            except Exception:
                found[name] = ""
    return found


def inspect(user_ns, params_json):
    started = time.monotonic()
    options = dict(DEFAULTS)
    options.update(json.loads(params_json) if params_json else {})
    reply = {
        "inspector": "jupyterlab-claude",
        "protocol": 1,
        "language": "python",
        "mode": options["mode"],
        "python": sys.version.split()[0],
        "libraries": libraries(),
        "trimmed": [],
        "skipped": [],
    }
    inspector = Inspector(user_ns, options)
    guard = TimeGuard()
    guard.install()
    try:
        if options["mode"] == "detail":
            name = options["name"]
            if type(name) is not str or name not in user_ns:
                reply["error"] = f"no variable named {name!r}"
            else:
                seconds = max(options["budget_seconds"], options["per_variable_seconds"])
                reply["variable"] = describe_safely(inspector, guard, name, user_ns[name], seconds, True)
        else:
            reply["variables"] = variables = []
            deadline = started + options["budget_seconds"]
            candidates = list(user_variables(user_ns))
            reply["total_variables"] = len(candidates)
            for index, (name, value) in enumerate(candidates):
                if index >= options["max_variables"]:
                    rest = [n for n, _ in candidates[index:]]
                    reply["trimmed"].append(
                        f"{len(rest)} variables beyond {options['max_variables']:d}: {clip(', '.join(rest), 300)}"
                    )
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    reply["skipped"] = [[n, type_name(v)] for n, v in candidates[index:]]
                    reply["skipped_reason"] = f"time budget of {options['budget_seconds']:.1f} s used up"
                    break
                seconds = min(options["per_variable_seconds"], left)
                variables.append(describe_safely(inspector, guard, name, value, seconds, False))
    except InspectionTimeout:
        reply["error"] = "interrupted by the time limit"
    except BaseException as exc:  # e.g. the kernel interrupted between variables: keep what was found
        reply["error"] = "interrupted by " + class_name(type(exc))
    finally:
        guard.uninstall()
    fit_reply(reply, options["max_reply_bytes"])
    reply["elapsed_ms"] = int((time.monotonic() - started) * 1000)
    return json.dumps(reply, ensure_ascii=False, separators=(",", ":"), default=str)


if __name__ == ENTRY_NAME:
    sys.stdout.write(inspect(_USER_NS, _PARAMS) + "\n")  # noqa: F821 (given by the caller)
    sys.stdout.flush()
