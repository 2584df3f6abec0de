"""The example instrument through the bridge, over stdio and Streamable HTTP, on a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest
from mcp_support import (
    INSTRUMENT,
    api,
    instrument_over_http,
    mcp_config,
    new_mark,
    processes_with,
    server_entry,
    stdio,
    wait_until,
)

TOKEN = "instrument-token-" + secrets.token_hex(12)
HEADER_TOKEN = "hdr-" + secrets.token_hex(16)


@pytest.fixture
def mark():
    return new_mark()


@pytest.fixture
def http_instrument():
    with instrument_over_http() as url:
        yield url


@pytest.fixture
def jp_server_config(mock, api_key, tmp_path, mark, request):
    servers = {"uvvis": stdio(INSTRUMENT, mark, INSTRUMENT_TOKEN=TOKEN)}
    if "http_instrument" in request.fixturenames:
        url = request.getfixturevalue("http_instrument")
        servers["uvvis_http"] = {
            "type": "http",
            "url": url + "?key=" + HEADER_TOKEN,
            "headers": {"Authorization": f"Bearer {HEADER_TOKEN}"},
        }
    if request.node.name.startswith("test_autostart"):
        servers["uvvis"]["autostart"] = True
    return mcp_config(mock.url, api_key, tmp_path, servers=servers)


def assert_clean(response) -> None:
    body = response.body or b""
    for secret in (TOKEN, HEADER_TOKEN):
        assert secret.encode() not in body
        for value in response.headers.values():
            assert secret not in value


async def test_listing_starts_nothing_and_masks_env(jp_fetch, mark):
    code, listing, r = await api(jp_fetch, "GET", "servers")
    assert code == 200
    entry = server_entry(listing, "uvvis")
    assert entry["state"] == "stopped" and entry["source"] == "config"
    assert listing["policy"] == {"auto_approve": "read-only"} and listing["call_timeout"] == 120
    assert entry["config"]["transport"] == "stdio"
    assert "INSTRUMENT_TOKEN" in entry["config"]["env"]  # the name only
    assert_clean(r)
    await asyncio.sleep(0.3)
    assert processes_with(mark) == []


async def test_first_call_starts_it_and_answers_structured_content(jp_fetch, mark):
    code, result, r = await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}})
    assert code == 200, result
    assert result["isError"] is False
    status = result["structuredContent"]
    assert status["temperature_range_c"] == [4.0, 95.0]
    assert status["setpoint_c"] == 25.0
    assert result["server"] == "uvvis" and result["tool"] == "get_status" and result["truncated"] is False
    assert len(processes_with(mark)) == 1
    code, listing, r2 = await api(jp_fetch, "GET", "servers")
    entry = server_entry(listing, "uvvis")
    assert entry["state"] == "connected"
    tools = {t["name"]: t for t in entry["tools"]}
    assert set(tools) == {"get_status", "set_temperature", "acquire_spectrum"}
    assert tools["get_status"]["annotations"]["readOnlyHint"] is True
    assert tools["set_temperature"]["annotations"]["readOnlyHint"] is False
    assert "celsius" in tools["set_temperature"]["inputSchema"]["properties"]
    assert [p["name"] for p in entry["prompts"]] == ["melting_curve"]
    assert [x["uri"] for x in entry["resources"]] == ["uvvis://calibration"]
    assert_clean(r)
    assert_clean(r2)


async def test_temperature_out_of_range_is_refused_and_nothing_changes(jp_fetch):
    code, result, _ = await api(
        jp_fetch, "POST", "servers", "uvvis", "tools", "set_temperature", body={"arguments": {"celsius": 120}}
    )
    assert code == 200
    assert result["isError"] is True
    assert "outside the holder's range (4 to 95 °C)" in result["content"][0]["text"]
    code, result, _ = await api(
        jp_fetch, "POST", "servers", "uvvis", "tools", "set_temperature", body={"arguments": {"celsius": 37.5}}
    )
    assert result["isError"] is False and result["structuredContent"]["setpoint_c"] == 37.5


async def test_spectrum_reports_progress_and_follows_beer_lambert(jp_fetch):
    call = asyncio.ensure_future(
        api(
            jp_fetch,
            "POST",
            "servers",
            "uvvis",
            "tools",
            "acquire_spectrum",
            body={
                "arguments": {"start_nm": 220, "end_nm": 320, "step_nm": 1, "averages": 16, "seed": 1},
                "call_id": "scan-1",
            },
        )
    )
    seen = []
    while not call.done():
        code, state, _ = await api(jp_fetch, "GET", "calls", "scan-1")
        if code == 200 and state["progress"]:
            seen.append(state["progress"]["progress"])
        await asyncio.sleep(0.05)
    code, result, _ = call.result()
    assert code == 200, result
    assert len(set(seen)) >= 2, seen  # progress was visible while the scan ran
    spectrum = result["structuredContent"]
    wl, a = spectrum["wavelength_nm"], spectrum["absorbance"]
    assert len(wl) == len(a) == 101
    peak = wl[max(range(20, 101), key=lambda i: a[i])]  # the 260 nm band (past the 200 nm one's tail)
    assert 255 <= peak <= 265
    # epsilon(260) * c * l = 300000 M^-1 cm^-1 * 2 uM * 1 cm = 0.6 for the duplex at 25 °C
    assert a[wl.index(260.0)] == pytest.approx(0.6, abs=0.02)
    assert a[-1] < 0.05
    code, done, _ = await api(jp_fetch, "GET", "calls", "scan-1")
    assert done["state"] == "done"
    assert [e["progress"] for e in done["progress_events"]] == list(range(0, 11))
    assert done["progress_events"][-1]["total"] == 10


async def test_resource_and_prompt(jp_fetch):
    code, listed, _ = await api(jp_fetch, "GET", "servers", "uvvis", "resources")
    assert code == 200 and listed["resources"][0]["uri"] == "uvvis://calibration"
    code, read, _ = await api(jp_fetch, "GET", "servers", "uvvis", "resources", params={"uri": "uvvis://calibration"})
    assert code == 200, read
    (content,) = read["contents"]
    assert content["mimeType"] == "application/json" and "holmium" in content["text"]
    code, prompt, _ = await api(
        jp_fetch, "POST", "servers", "uvvis", "prompts", "melting_curve", body={"arguments": {"start_c": "30"}}
    )
    assert code == 200, prompt
    assert "from 30 °C to 90 °C" in prompt["messages"][0]["content"]["text"]
    code, err, _ = await api(jp_fetch, "POST", "servers", "uvvis", "prompts", "nope", body={"arguments": {}})
    assert code == 404


async def test_restart_gives_a_new_process(jp_fetch, mark):
    await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}})
    (first,) = processes_with(mark)
    code, entry, _ = await api(jp_fetch, "POST", "servers", "uvvis", "restart")
    assert code == 200 and entry["state"] == "connected"
    assert await wait_until(lambda: len(processes_with(mark)) == 1 and processes_with(mark)[0] != first)


async def test_unknown_server_and_tool_are_404(jp_fetch):
    code, err, _ = await api(jp_fetch, "POST", "servers", "nope", "tools", "get_status", body={"arguments": {}})
    assert code == 404 and "No MCP server named 'nope'" in err["error"]["message"]
    code, err, _ = await api(jp_fetch, "POST", "servers", "uvvis", "tools", "nope", body={"arguments": {}})
    assert code == 404 and "no tool named 'nope'" in err["error"]["message"]
    code, err, _ = await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": [1]})
    assert code == 400


async def test_autostart_server_starts_with_jupyter(jp_fetch, mark):
    await jp_fetch("api", "status")
    assert await wait_until(lambda: len(processes_with(mark)) == 1)
    code, listing, _ = await api(jp_fetch, "GET", "servers")
    assert server_entry(listing, "uvvis")["state"] in ("starting", "connected")


async def test_stopping_jupyter_stops_every_server(jp_serverapp, jp_fetch, mark):
    await api(jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}})
    assert len(processes_with(mark)) == 1
    await jp_serverapp.cleanup_extensions()
    assert processes_with(mark) == []


async def test_streamable_http_server_with_header_kept_on_the_server(jp_fetch, http_instrument):
    code, listing, r = await api(jp_fetch, "GET", "servers")
    entry = server_entry(listing, "uvvis_http")
    assert entry["config"] == {"transport": "http", "url": http_instrument, "headers": ["Authorization"]}
    assert_clean(r)
    code, result, r = await api(
        jp_fetch, "POST", "servers", "uvvis_http", "tools", "get_status", body={"arguments": {}}
    )
    assert code == 200, result
    assert result["structuredContent"]["setpoint_c"] == 25.0
    code, result, r = await api(
        jp_fetch,
        "POST",
        "servers",
        "uvvis_http",
        "tools",
        "acquire_spectrum",
        body={"arguments": {"start_nm": 250, "end_nm": 270, "step_nm": 5}, "call_id": "http-scan"},
    )
    assert code == 200, result
    assert result["structuredContent"]["wavelength_nm"] == [250.0, 255.0, 260.0, 265.0, 270.0]
    code, done, _ = await api(jp_fetch, "GET", "calls", "http-scan")
    assert len(done["progress_events"]) == 11
    code, listing, r = await api(jp_fetch, "GET", "servers")
    assert server_entry(listing, "uvvis_http")["state"] == "connected"
    assert_clean(r)


async def test_streamed_reply_sends_progress_lines_then_the_result(jp_fetch):
    code, text, r = await api(
        jp_fetch,
        "POST",
        "servers",
        "uvvis",
        "tools",
        "acquire_spectrum",
        body={"arguments": {"start_nm": 250, "end_nm": 270, "step_nm": 10}, "stream": True, "call_id": "streamed"},
    )
    assert code == 200 and r.headers["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in r.body.decode().splitlines()]
    assert [line["type"] for line in lines] == ["progress"] * 11 + ["result"]
    assert [line["progress"] for line in lines[:-1]] == list(range(11))
    assert all(line["call_id"] == "streamed" for line in lines)
    assert lines[-1]["structuredContent"]["wavelength_nm"] == [250.0, 260.0, 270.0]
    code, text, r = await api(
        jp_fetch, "POST", "servers", "uvvis", "tools", "nope", body={"arguments": {}, "stream": True}
    )
    (line,) = [json.loads(x) for x in r.body.decode().splitlines()]
    assert line["type"] == "error" and line["error"]["type"] == "not_found_error"


async def test_a_result_is_kept_beside_the_notebook(jp_fetch, jp_root_dir):
    (jp_root_dir / "lab").mkdir()
    code, result, _ = await api(
        jp_fetch,
        "POST",
        "servers",
        "uvvis",
        "tools",
        "acquire_spectrum",
        body={"arguments": {"start_nm": 250, "end_nm": 270, "step_nm": 10, "seed": 3}, "save_beside": "lab/melt.ipynb"},
    )
    assert code == 200, result
    saved = result["saved"]
    assert saved.startswith("lab/mcp-data/uvvis/acquire_spectrum-") and saved.endswith(".json")
    record = json.loads((jp_root_dir / saved).read_text())
    assert record["server"] == "uvvis" and record["tool"] == "acquire_spectrum"
    assert record["arguments"] == {"start_nm": 250, "end_nm": 270, "step_nm": 10, "seed": 3}
    assert record["call_id"] == result["call_id"] and record["time"].endswith("+00:00")
    assert record["result"]["structuredContent"] == result["structuredContent"]
    # A target outside the root, or not a notebook, is refused before the instrument is asked.
    for bad in ("../x.ipynb", "/tmp/x.ipynb", "lab/data.csv"):
        code, err, _ = await api(
            jp_fetch, "POST", "servers", "uvvis", "tools", "get_status", body={"arguments": {}, "save_beside": bad}
        )
        assert code in (400, 403), (bad, err)
    assert sorted(p.name for p in (jp_root_dir / "lab" / "mcp-data" / "uvvis").iterdir()) == [saved.rsplit("/", 1)[1]]


async def test_a_resource_is_kept_beside_the_notebook(jp_fetch, jp_root_dir):
    code, read, _ = await api(
        jp_fetch,
        "POST",
        "servers",
        "uvvis",
        "resources",
        body={"uri": "uvvis://calibration", "save_beside": "run.ipynb"},
    )
    assert code == 200, read
    assert read["saved"].startswith("mcp-data/uvvis/resource-calibration-")
    record = json.loads((jp_root_dir / read["saved"]).read_text())
    assert record["resource"] == "uvvis://calibration" and "holmium" in record["contents"][0]["text"]
    code, err, _ = await api(jp_fetch, "POST", "servers", "uvvis", "resources", body={"uri": "uvvis://calibration"})
    assert code == 400
