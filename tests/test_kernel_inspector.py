"""The kernel inspector (src/kernel/inspector.py) run in a real ipykernel, as the front end runs it.

Each request is `silent=True, store_history=False`; the reply is read from iopub. Set
KERNEL_INSPECTOR_RECORD=1 to save real replies as fixtures for the jest tests.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
from jupyter_client.manager import start_new_kernel  # noqa: E402
from kernel_code import REPLY_PREFIX, ROOT, inspector_code  # noqa: E402

FIXTURES = ROOT / "src" / "kernel" / "__tests__" / "fixtures"


class Kernel:
    """A real ipykernel and a client that records every iopub message of each request."""

    def __init__(self) -> None:
        self.km, self.kc = start_new_kernel(kernel_name="python3")

    def execute(self, code: str, silent: bool = False, timeout: float = 120) -> tuple[list[dict], dict]:
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False)
        messages = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        while True:
            reply = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if reply["parent_header"].get("msg_id") == msg_id:
                return messages, reply

    def run(self, code: str) -> str:
        """Run user code as a notebook cell would; return its stdout; fail on an error."""
        messages, reply = self.execute(code)
        errors = [m["content"] for m in messages if m["msg_type"] == "error"]
        assert not errors and reply["content"]["status"] == "ok", errors
        return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")

    def probe(self, expression: str) -> Any:
        """Evaluate an expression silently and return it through JSON (binds no names, and
        works while the user's globals shadow `print` or `__import__`)."""
        code = (
            f'(lambda b: b["print"](b["__import__"]("json").dumps({expression})))((_ for _ in ()).gi_frame.f_builtins)'
        )
        messages, _ = self.execute(code, silent=True)
        text = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
        return json.loads(text)

    def inspect(self, **params: Any) -> tuple[dict[str, Any], str, list[dict]]:
        messages, reply = self.execute(inspector_code(**params), silent=True)
        assert reply["content"]["status"] == "ok", reply["content"]
        text = "".join(
            m["content"]["text"] for m in messages if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )
        lines = [line for line in text.splitlines() if line.startswith(REPLY_PREFIX)]
        assert len(lines) == 1, text[:2000]
        return json.loads(lines[0]), lines[0], messages

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


@pytest.fixture
def fresh_kernel():
    k = Kernel()
    yield k
    k.shutdown()


def by_name(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in reply["variables"]}


def record(name: str, text: str) -> None:
    if os.environ.get("KERNEL_INSPECTOR_RECORD"):
        FIXTURES.mkdir(parents=True, exist_ok=True)
        (FIXTURES / name).write_text(json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n")


def test_ten_million_row_frame_gives_a_small_reply_with_right_rows_and_dtypes(kernel):
    pytest.importorskip("pandas")
    kernel.run(
        "import numpy as np, pandas as pd\n"
        "n = 10_000_000\n"
        "big = pd.DataFrame({'id': np.arange(n), 'value': np.arange(n) * 0.5,\n"
        "                    'label': pd.Categorical.from_codes(np.arange(n) % 3, ['a', 'b', 'c'])})\n"
    )
    reply, text, _ = kernel.inspect()
    big = by_name(reply)["big"]
    assert len(text.encode()) < 16_000
    assert big["kind"] == "pandas-frame" and big["type"] == "pandas.DataFrame"
    assert big["shape"] == [10_000_000, 3]
    assert big["columns"] == [["id", "int64"], ["value", "float64"], ["label", "category"]]
    assert big["row_columns"] == ["id", "value", "label"]
    assert big["head"][:2] == [["0", "0", "0.0", "a"], ["1", "1", "0.5", "b"]]
    assert len(big["head"]) == 5 and len(big["tail"]) == 5
    assert big["tail"][-1] == ["9999999", "9999999", "4999999.5", "a"]
    # deep=False: the two numeric columns and the category codes, not a scan of the values.
    assert 160_000_000 <= big["memory_bytes"] < 171_000_000
    assert reply["libraries"]["pandas"]

    detail, text, _ = kernel.inspect(mode="detail", name="big", column="value", start=5_000_000, stop=5_000_999)
    entry = detail["variable"]
    assert entry["slice"] == [5_000_000, 5_000_050]  # capped at 50 rows
    assert len(entry["head"]) == 50 and entry["head"][0][:2] == ["5000000", "5000000"]
    stats = entry["column_stats"]
    assert stats["count"] == 10_000_000 and stats["nulls"] == 0
    assert stats["min"] == 0.0 and stats["max"] == 4999999.5 and stats["mean"] == pytest.approx(2499999.75)
    assert len(text.encode()) < 16_000
    kernel.run("del big")


def test_polars_frame_shows_schema_height_and_rows(kernel):
    pytest.importorskip("polars")
    kernel.run(
        "import polars as pl\n"
        "pf = pl.DataFrame({'city': ['Lima', 'Oslo', None, 'Pune'], 'temp': [18.5, 4.0, 30.25, None]})\n"
        "pf.head(1), pf.null_count()\n"  # polars' first calls are slow on a loaded machine; this is about content
    )
    reply, _, _ = kernel.inspect(per_variable_seconds=30, budget_seconds=60)
    pf = by_name(reply)["pf"]
    assert pf["kind"] == "polars-frame"
    assert pf.get("shape") == [4, 2], pf
    assert pf["columns"] == [["city", "String"], ["temp", "Float64"]]
    assert pf["head"] == [["0", "Lima", "18.5"], ["1", "Oslo", "4.0"], ["2", "None", "30.25"], ["3", "Pune", "None"]]
    assert "tail" not in pf

    detail, _, _ = kernel.inspect(mode="detail", name="pf", column="temp")
    stats = detail["variable"]["column_stats"]
    assert stats == {
        "column": "temp",
        "dtype": "Float64",
        "count": 3,
        "nulls": 1,
        "min": 4.0,
        "max": 30.25,
        "mean": pytest.approx(17.583333),
        "std": stats["std"],
    }


def test_dask_frame_is_never_computed(kernel, tmp_path):
    pytest.importorskip("dask.dataframe")
    calls = tmp_path / "dask_calls"
    kernel.run(
        "import dask, dask.dataframe as dd, pandas as pd\n"
        "@dask.delayed\n"
        "def load_part(i):\n"
        f"    open({str(calls)!r}, 'a').write('x')\n"
        "    return pd.DataFrame({'station': [i] * 10, 'rain': [0.5] * 10})\n"
        "meta = pd.DataFrame({'station': pd.Series(dtype='int64'), 'rain': pd.Series(dtype='float64')})\n"
        "lazy_rain = dd.from_delayed([load_part(i) for i in range(4)], meta=meta)\n"
    )
    reply, _, _ = kernel.inspect()
    entry = by_name(reply)["lazy_rain"]
    detail, _, _ = kernel.inspect(mode="detail", name="lazy_rain", column="rain", start=0, stop=5)
    assert not calls.exists(), "the inspector computed the dask frame"

    assert entry["kind"] == "dask-frame" and entry["lazy"] is True
    assert entry["columns"] == [["station", "int64"], ["rain", "float64"]]
    assert entry["shape"] == [None, 2] and entry["npartitions"] == 4
    assert "head" not in entry
    assert "refused" in detail["variable"] and "column_stats" not in detail["variable"]
    # The probe works: computing the frame does write the file.
    kernel.run("lazy_rain.compute()")
    assert calls.read_text() == "xxxx"


def test_polars_lazy_frame_is_never_collected(kernel, tmp_path):
    pl = pytest.importorskip("polars")
    if not hasattr(pl, "defer"):
        pytest.skip("this polars has no pl.defer")
    calls = tmp_path / "polars_calls"
    kernel.run(
        "import polars as pl\n"
        "def load():\n"
        f"    open({str(calls)!r}, 'a').write('x')\n"
        "    return pl.DataFrame({'k': [1, 2, 3], 'v': [0.1, 0.2, 0.3]})\n"
        "plan = pl.defer(load, schema={'k': pl.Int64, 'v': pl.Float64}).filter(pl.col('k') > 1)\n"
        "plan = plan.with_columns((pl.col('v') * 2).alias('v2'))\n"
    )
    reply, _, messages = kernel.inspect()
    entry = by_name(reply)["plan"]
    kernel.inspect(mode="detail", name="plan", start=0, stop=2)
    assert not calls.exists(), "the inspector collected the LazyFrame"
    assert entry["kind"] == "polars-lazy" and entry["lazy"] is True
    assert entry["columns"] == [["k", "Int64"], ["v", "Float64"], ["v2", "Float64"]]
    assert not [m for m in messages if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"]
    kernel.run("plan.collect()")
    assert calls.read_text() == "x"


def test_spark_frame_is_read_from_its_schema_only(kernel):
    """pyspark is not installed here: a stand-in with Spark's module path whose every other
    entry point records that it was used shows the inspector touches only `.schema`."""
    kernel.run(
        "class _Type:\n"
        "    def __init__(self, name): self.name = name\n"
        "    def simpleString(self): return self.name\n"
        "class _Field:\n"
        "    def __init__(self, name, kind): self.name, self.dataType = name, _Type(kind)\n"
        "class _Schema:\n"
        "    fields = [_Field('user', 'string'), _Field('clicks', 'bigint')]\n"
        "spark_touched = []\n"
        "class DataFrame:\n"
        "    schema = _Schema()\n"
        "    def __getattr__(self, name): spark_touched.append(name); raise AttributeError(name)\n"
        "    def count(self): spark_touched.append('count')\n"
        "    def collect(self): spark_touched.append('collect')\n"
        "    def __len__(self): spark_touched.append('len'); return 0\n"
        "    def __repr__(self): spark_touched.append('repr'); return 'DataFrame'\n"
        "DataFrame.__module__ = 'pyspark.sql.dataframe'\n"
        "clicks = DataFrame()\n"
    )
    reply, _, _ = kernel.inspect()
    entry = by_name(reply)["clicks"]
    assert entry["kind"] == "spark-frame" and entry["lazy"] is True
    assert entry["columns"] == [["user", "string"], ["clicks", "bigint"]]
    assert kernel.probe("spark_touched") == []
    kernel.run("del _Type, _Field, _Schema, DataFrame, clicks, spark_touched")


def test_hostile_objects_neither_break_nor_hang_the_inspection(kernel):
    kernel.run(
        "import time\n"
        "class RaisingRepr:\n"
        "    def __repr__(self):\n"
        "        raise RuntimeError('no repr for you')\n"
        "class SleepingLen:\n"
        "    def __len__(self):\n"
        "        time.sleep(30)\n"
        "        return 1\n"
        "class StubbornRepr:\n"
        "    def __repr__(self):\n"
        "        while True:\n"
        "            try:\n"
        "                time.sleep(30)\n"
        "            except Exception:\n"
        "                pass\n"
        "class RaisingShape:\n"
        "    @property\n"
        "    def shape(self):\n"
        "        raise ValueError('no shape')\n"
        "hostile_repr = RaisingRepr()\n"
        "sleepy_len = SleepingLen()\n"
        "stubborn = StubbornRepr()\n"
        "odd_shape = RaisingShape()\n"
        "after_them = 42\n"
    )
    started = time.monotonic()
    reply, _, _ = kernel.inspect(budget_seconds=2.0, per_variable_seconds=0.5)
    assert time.monotonic() - started < 10
    assert reply["elapsed_ms"] < 2500
    found = by_name(reply)
    assert found["hostile_repr"]["value"].startswith("<RaisingRepr instance")
    assert found["sleepy_len"]["error"].startswith("gave up after")
    assert found["stubborn"]["error"].startswith("gave up after")
    assert found["odd_shape"]["shape_error"] == "ValueError"
    assert found["after_them"]["value"] == "42"
    # The kernel is still usable and the user's timer handler is back.
    assert kernel.probe("__import__('signal').getsignal(__import__('signal').SIGALRM) is __import__('signal').SIG_DFL")
    kernel.run(
        "del RaisingRepr, SleepingLen, StubbornRepr, RaisingShape, hostile_repr, sleepy_len, stubborn, odd_shape"
    )


def test_the_overall_time_budget_skips_the_rest_with_a_note(fresh_kernel):
    fresh_kernel.run(
        "import time\n"
        "class SleepingLen:\n"
        "    def __len__(self):\n"
        "        time.sleep(30)\n"
        "        return 1\n"
        "slow = [SleepingLen() for _ in range(8)]\n" + "".join(f"slow_{i} = slow[{i}]\n" for i in range(8))
    )
    started = time.monotonic()
    reply, _, _ = fresh_kernel.inspect(budget_seconds=1.0, per_variable_seconds=0.3)
    assert time.monotonic() - started < 8
    assert reply["skipped"], reply
    assert "time budget" in reply["skipped_reason"]
    described = [v["name"] for v in reply["variables"]]
    assert described[0] == "slow" and len(described) + len(reply["skipped"]) == 9


def test_reply_size_is_capped_and_says_what_was_trimmed(kernel):
    pytest.importorskip("pandas")
    kernel.run(
        "import pandas as pd\n"
        "wide = {f'c{i}': ['x' * 50] * 20 for i in range(40)}\n"
        + "".join(f"frame_{i} = pd.DataFrame(wide)\n" for i in range(30))
    )
    reply, text, _ = kernel.inspect(max_reply_bytes=20_000)
    assert len(text.encode()) <= 20_000
    assert reply["trimmed"]
    assert any("variables" in t for t in reply["trimmed"]) or all("tail" not in v for v in reply["variables"])
    kernel.run("".join(f"del frame_{i}\n" for i in range(30)))


def test_leaves_no_names_no_history_and_no_visible_output(kernel):
    kernel.run("import numpy as np\nseries_of_numbers = np.linspace(0, 1, 11)\nnote = 'hello'\n")
    _, first = kernel.execute("1 + 1")
    names_before = kernel.probe("sorted(get_ipython().user_ns)")
    modules_before = kernel.probe("sorted(__import__('sys').modules)")
    history_before = kernel.probe("len(In)")
    reply, _, messages = kernel.inspect()
    kernel.inspect(mode="detail", name="series_of_numbers", stats=True)
    assert kernel.probe("sorted(get_ipython().user_ns)") == names_before
    assert kernel.probe("sorted(__import__('sys').modules)") == modules_before
    assert kernel.probe("len(In)") == history_before
    _, second = kernel.execute("2 + 2")
    assert second["content"]["execution_count"] == first["content"]["execution_count"] + 1
    kinds = {m["msg_type"] for m in messages}
    assert kinds <= {"status", "stream"}, kinds  # no execute_input, result, display or error
    assert {m["content"]["name"] for m in messages if m["msg_type"] == "stream"} == {"stdout"}
    found = by_name(reply)
    assert found["series_of_numbers"]["values"][:3] == ["0.0", "0.1", "0.2"]
    assert found["note"]["value"] == "'hello'"
    assert "np" not in found and "In" not in found and "get_ipython" not in found


def test_does_not_import_data_libraries_the_user_did_not_import(fresh_kernel):
    fresh_kernel.run("rows = [{'a': 1}, {'a': 2}]\ntotal = 3\n")
    fresh_kernel.inspect()  # warm up whatever the first silent request loads
    modules_before = set(fresh_kernel.probe("sorted(__import__('sys').modules)"))
    assert not modules_before & {"pandas", "numpy", "polars", "dask", "xarray", "pyspark"}
    reply, _, _ = fresh_kernel.inspect()
    fresh_kernel.inspect(mode="detail", name="rows")
    modules_after = set(fresh_kernel.probe("sorted(__import__('sys').modules)"))
    assert modules_after == modules_before
    assert reply["libraries"] == {}
    assert by_name(reply)["rows"] == {
        "name": "rows",
        "type": "list",
        "kind": "collection",
        "length": 2,
        "value": "[{'a': 1}, {'a': 2}]",
    }


def test_detail_of_a_missing_variable_says_so(kernel):
    reply, _, _ = kernel.inspect(mode="detail", name="no_such_thing")
    assert reply["error"] == "no variable named 'no_such_thing'"


def test_records_real_replies_for_the_front_end_tests(fresh_kernel):
    """A mixed namespace; its replies become the jest fixtures when KERNEL_INSPECTOR_RECORD=1."""
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    pytest.importorskip("xarray")
    pytest.importorskip("dask.dataframe")
    fresh_kernel.run(
        "import numpy as np, pandas as pd, polars as pl, xarray as xr, dask.dataframe as dd\n"
        "rng = np.random.default_rng(0)\n"
        "n = 2_000_000\n"
        "sales = pd.DataFrame({'region': pd.Categorical.from_codes(rng.integers(0, 4, n), "
        "['north', 'south', 'east', 'west']),\n"
        "                      'units': rng.integers(0, 100, n), 'price': rng.gamma(2.0, 10.0, n).round(2),\n"
        "                      'day': pd.date_range('2024-01-01', periods=n, freq='min')})\n"
        "gdp = pl.DataFrame({'country': ['Chile', 'Kenya', 'Nepal'], 'gdp_per_capita': [15355.5, 2099.3, 1336.5]})\n"
        "query = gdp.lazy().filter(pl.col('gdp_per_capita') > 2000)\n"
        "grid = xr.DataArray(rng.normal(size=(3, 4)), dims=('time', 'site'), coords={'time': [1, 2, 3]}, "
        "name='temperature')\n"
        "parts = dd.from_pandas(sales.head(1000), npartitions=4)\n"
        "weights = rng.normal(size=(256, 64))\n"
        "notes = 'first pass: drop rows with zero units'\n"
        "threshold = 0.05\n"
        "class Broken:\n"
        "    def __repr__(self):\n"
        "        raise RuntimeError('broken repr')\n"
        "broken = Broken()\n"
    )
    reply, text, _ = fresh_kernel.inspect()
    assert [v["name"] for v in reply["variables"]] == [
        "rng",
        "n",
        "sales",
        "gdp",
        "query",
        "grid",
        "parts",
        "weights",
        "notes",
        "threshold",
        "broken",
    ]
    record("python-list-reply.json", text)
    detail, text, _ = fresh_kernel.inspect(mode="detail", name="sales", column="price", start=10, stop=15)
    assert detail["variable"]["column_stats"]["count"] == 2_000_000
    record("python-detail-reply.json", text)


# -- one odd variable costs only its own entry ------------------------------------------------
#
# Each case is user code run as a cell, and the names it binds. A plain variable defined after
# it must still be described, the reply must carry no top-level error, and every odd variable
# must still have an entry: a summary, or one marked as not summarisable with a short reason.

ODD_VARIABLES = {
    "class_module_is_an_int": (
        "class ModuleFive:\n    pass\nModuleFive.__module__ = 5\nmodule_five = ModuleFive()\n",
        ["module_five"],
    ),
    "len_raises_system_exit": (
        "class ExitingLen:\n    def __len__(self):\n        raise SystemExit(3)\nexiting_len = ExitingLen()\n",
        ["exiting_len"],
    ),
    "user_global_named___import__": ("__import__ = lambda *a, **k: 1 / 0\n", []),
    "user_globals_shadow_builtins": (
        "len = type = isinstance = getattr = str = repr = id = dict = list = exec = globals = 'shadowed'\n"
        "json = sys = 'shadowed module'\n"
        "shadow_probe = [1, 2, 3]\n",
        ["shadow_probe"],
    ),
    "pd_and_np_shadowed": (
        "import pandas as _real_pd\n"
        "pd = np = 'not the library'\n"
        "frame_with_pd_shadowed = _real_pd.DataFrame({'a': [1, 2]})\n",
        ["frame_with_pd_shadowed"],
    ),
    "class_property_raises": (
        "class BadClass:\n"
        "    @property\n"
        "    def __class__(self):\n"
        "        raise RuntimeError('no class')\n"
        "bad_class = BadClass()\n",
        ["bad_class"],
    ),
    "getattr_raises_base_exception": (
        "class Stopper(BaseException):\n"
        "    pass\n"
        "class StoppingGetattr:\n"
        "    def __getattr__(self, name):\n"
        "        raise Stopper(name)\n"
        "    shape = property(lambda self: self.missing)\n"
        "stopping_getattr = StoppingGetattr()\n",
        ["stopping_getattr"],
    ),
    "repr_returns_a_non_str": (
        "class NumberRepr:\n"
        "    def __repr__(self):\n"
        "        return 42\n"
        "class SneakyStr(str):\n"
        "    def __len__(self):\n"
        "        raise SystemExit('len of repr')\n"
        "    def __getitem__(self, key):\n"
        "        raise SystemExit('slice of repr')\n"
        "class SneakyRepr:\n"
        "    def __repr__(self):\n"
        "        return SneakyStr('sneaky')\n"
        "number_repr = NumberRepr()\n"
        "sneaky_repr = SneakyRepr()\n",
        ["number_repr", "sneaky_repr"],
    ),
    "sizeof_raises": (
        "class BadSize:\n    def __sizeof__(self):\n        raise SystemExit('size')\nbad_size = BadSize()\n",
        ["bad_size"],
    ),
    "huge_ints": (
        "huge_int = 10 ** 100000\n"
        "class HugeShape:\n"
        "    shape = (10 ** 5000, 2)\n"
        "huge_shape = HugeShape()\n"
        "huge_in_list = [10 ** 5000]\n",
        ["huge_int", "huge_shape", "huge_in_list"],
    ),
    "classes_named_like_builtins": (
        "class int:\n"
        "    pass\n"
        "class dict:\n"
        "    def __len__(self):\n"
        "        raise SystemExit('len')\n"
        "fake_int = int()\n"
        "fake_dict = dict()\n"
        "fakes_in_a_list = [fake_int, fake_dict]\n",
        ["fake_int", "fake_dict", "fakes_in_a_list"],
    ),
    "recursive_containers": (
        "loop_list = [1]\n"
        "loop_list.append(loop_list)\n"
        "loop_dict = {'self': None}\n"
        "loop_dict['self'] = loop_dict\n"
        "class Node:\n"
        "    def __repr__(self):\n"
        "        return 'Node(%r)' % (self.next,)\n"
        "loop_node = Node()\n"
        "loop_node.next = loop_node\n",
        ["loop_list", "loop_dict", "loop_node"],
    ),
    "frames_with_odd_column_names": (
        "import pandas as _pd\n"
        "dup_columns = _pd.DataFrame([[1, 2, 3]], columns=['a', 'a', 'b'])\n"
        "int_columns = _pd.DataFrame([[1, 2]], columns=[0, 1.5])\n"
        "tuple_columns = _pd.DataFrame([[1, 2]], columns=_pd.MultiIndex.from_tuples([('x', 1), ('x', 2)]))\n"
        "object_columns = _pd.DataFrame([[1]], columns=[frozenset({1})])\n",
        ["dup_columns", "int_columns", "tuple_columns", "object_columns"],
    ),
    "frame_subclass_whose_methods_raise": (
        "import pandas as _pd\n"
        "class Booby(_pd.DataFrame):\n"
        "    @property\n"
        "    def _constructor(self):\n"
        "        return Booby\n"
        "    def memory_usage(self, *a, **k):\n"
        "        raise KeyboardInterrupt('memory')\n"
        "    def itertuples(self, *a, **k):\n"
        "        raise SystemExit('rows')\n"
        "booby_frame = Booby({'a': [1, 2]})\n",
        ["booby_frame"],
    ),
    "dict_property_raises": (
        "class BadDict:\n"
        "    @property\n"
        "    def __dict__(self):\n"
        "        raise SystemExit('dict')\n"
        "bad_dict = BadDict()\n",
        ["bad_dict"],
    ),
    "keyboard_interrupt_from_a_property": (
        "class Interrupting:\n"
        "    @property\n"
        "    def shape(self):\n"
        "        raise KeyboardInterrupt()\n"
        "    def __len__(self):\n"
        "        raise KeyboardInterrupt()\n"
        "interrupting = Interrupting()\n",
        ["interrupting"],
    ),
    "exception_whose_str_raises": (
        "class Unprintable(Exception):\n"
        "    def __str__(self):\n"
        "        raise SystemExit('str')\n"
        "class RaisesUnprintable:\n"
        "    @property\n"
        "    def shape(self):\n"
        "        raise Unprintable()\n"
        "    def __repr__(self):\n"
        "        raise Unprintable()\n"
        "raises_unprintable = RaisesUnprintable()\n",
        ["raises_unprintable"],
    ),
}


@pytest.mark.parametrize("case", sorted(ODD_VARIABLES))
def test_one_odd_variable_costs_only_its_own_entry(kernel, case):
    code, odd_names = ODD_VARIABLES[case]
    if "pandas" in code:
        pytest.importorskip("pandas")
    names_before = set(kernel.probe("sorted(get_ipython().user_ns)"))
    kernel.run(code + "plain_after_it = 42\n")
    try:
        started = time.monotonic()
        reply, text, messages = kernel.inspect(budget_seconds=2.0, per_variable_seconds=0.5)
        assert time.monotonic() - started < 10
        assert "error" not in reply, reply["error"]
        assert len(text.encode()) <= 65536
        found = by_name(reply)
        assert found["plain_after_it"]["value"] == "42"
        for name in odd_names:
            entry = found[name]
            assert isinstance(entry["type"], str) and isinstance(entry["kind"], str)
            if "error" in entry:
                assert isinstance(entry["error"], str) and 0 < len(entry["error"]) <= 200
        assert not [m for m in messages if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"]
        # One detail request per odd variable answers too.
        for name in odd_names:
            detail, _, _ = kernel.inspect(mode="detail", name=name, stats=True)
            assert detail["variable"]["name"] == name
        # The kernel is still usable.
        assert kernel.probe("6 * 7") == 42
    finally:
        # Undo the cell: drop every name it bound (the shadowing ones too) without using them.
        kernel.execute(
            f"[get_ipython().user_ns.pop(n) for n in set(get_ipython().user_ns) - set({sorted(names_before)!r})]",
            silent=True,
        )


def test_odd_entries_are_marked_with_a_short_reason(kernel):
    kernel.run(
        "class ExitingLen:\n"
        "    def __len__(self):\n"
        "        raise SystemExit(3)\n"
        "exiting_len = ExitingLen()\n"
        "class ModuleFive:\n"
        "    pass\n"
        "ModuleFive.__module__ = 5\n"
        "module_five = ModuleFive()\n"
        "class Interrupting:\n"
        "    def __repr__(self):\n"
        "        raise KeyboardInterrupt()\n"
        "interrupting = Interrupting()\n"
    )
    reply, _, _ = kernel.inspect()
    found = by_name(reply)
    assert found["exiting_len"]["length_error"] == "SystemExit"
    assert found["module_five"]["type"] == "ModuleFive" and found["module_five"]["value"].startswith("<")
    assert found["interrupting"]["error"] == "KeyboardInterrupt"
    kernel.run("del ExitingLen, exiting_len, ModuleFive, module_five, Interrupting, interrupting")


def test_odd_values_inside_containers_are_shown_not_fatal(kernel):
    kernel.run(
        "class SneakyStr(str):\n"
        "    def __len__(self):\n"
        "        raise SystemExit('len of repr')\n"
        "class SneakyRepr:\n"
        "    def __repr__(self):\n"
        "        return SneakyStr('sneaky')\n"
        "sneaky_repr = SneakyRepr()\n"
        "huge_in_list = [10 ** 5000, 7]\n"
    )
    reply, _, _ = kernel.inspect()
    found = by_name(reply)
    assert found["sneaky_repr"]["value"] == "sneaky"
    assert found["huge_in_list"]["value"] == "[<int of 16610 bits>, 7]"
    kernel.run("del SneakyStr, SneakyRepr, sneaky_repr, huge_in_list")
