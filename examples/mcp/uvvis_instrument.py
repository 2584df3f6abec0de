"""A simulated UV-Vis spectrometer with a temperature-controlled cuvette holder, as an MCP server.

Written with the official ``mcp`` Python SDK (``MCPServer``). The cuvette holds a DNA duplex
solution, so a spectrum shows the 260 nm band of nucleic acids (Beer-Lambert: absorbance is
molar absorptivity x concentration x path length) and warming the holder melts the duplex:
absorbance at 260 nm rises by about 25 % around the melting temperature (hyperchromicity).
Readings carry photometric noise that shrinks with the number of averaged scans.

Tools: ``get_status`` (read-only), ``set_temperature`` (4-95 °C; anything else is refused and
nothing changes), ``acquire_spectrum`` (takes a few seconds, reports progress, returns the
wavelengths and absorbances as structured content). Resource: ``uvvis://calibration``.
Prompt: ``melting_curve`` (plan a melting-curve experiment).

Run it over stdio (how the Jupyter server starts it)::

    python examples/mcp/uvvis_instrument.py

or over Streamable HTTP on a local port::

    python examples/mcp/uvvis_instrument.py --transport streamable-http --port 8765

``UVVIS_SCAN_SECONDS`` sets how long one scan takes (default 3).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import time
from datetime import datetime, timezone

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

MIN_TEMPERATURE_C = 4.0
MAX_TEMPERATURE_C = 95.0
MIN_WAVELENGTH_NM = 190.0
MAX_WAVELENGTH_NM = 1100.0
#: Time constant of the Peltier holder (seconds to reach ~63 % of a step).
HOLDER_TAU_S = 8.0
#: The duplex in the cuvette: melting temperature and width of the transition (°C).
MELT_TM_C = 62.0
MELT_WIDTH_C = 3.5
HYPERCHROMICITY = 0.25

SAMPLE = {
    "name": "20-mer DNA duplex in 10 mM phosphate, 100 mM NaCl, pH 7.0",
    "concentration_um": 2.0,
    "path_length_cm": 1.0,
}
#: Absorption bands of the sample: (centre nm, width nm, molar absorptivity per strand pair, M^-1 cm^-1).
BANDS = [(260.0, 18.0, 300000.0), (200.0, 12.0, 420000.0)]


class Holder:
    """The Peltier cuvette holder: the temperature relaxes towards the setpoint."""

    def __init__(self, temperature_c: float = 25.0):
        self.setpoint_c = temperature_c
        self._start_c = temperature_c
        self._since = time.monotonic()

    def temperature(self) -> float:
        elapsed = time.monotonic() - self._since
        return self.setpoint_c + (self._start_c - self.setpoint_c) * math.exp(-elapsed / HOLDER_TAU_S)

    def set(self, celsius: float) -> None:
        self._start_c = self.temperature()
        self.setpoint_c = celsius
        self._since = time.monotonic()


holder = Holder()
lamp_hours = 1234.5
scans_done = 0


def melted_fraction(temperature_c: float) -> float:
    return 1.0 / (1.0 + math.exp((MELT_TM_C - temperature_c) / MELT_WIDTH_C))


def absorbance(wavelength_nm: float, temperature_c: float) -> float:
    """Beer-Lambert: A = epsilon(lambda, T) * c * l, with the duplex's hyperchromic shift."""
    c_molar = SAMPLE["concentration_um"] * 1e-6
    epsilon = 0.0
    for centre, width, peak in BANDS:
        epsilon += peak * math.exp(-0.5 * ((wavelength_nm - centre) / width) ** 2)
    epsilon *= 1.0 + HYPERCHROMICITY * melted_fraction(temperature_c)
    return epsilon * c_molar * SAMPLE["path_length_cm"]


class Status(BaseModel):
    temperature_c: float = Field(description="Cuvette holder temperature now (°C)")
    setpoint_c: float = Field(description="Temperature the holder is driving towards (°C)")
    at_setpoint: bool = Field(description="Within 0.2 °C of the setpoint")
    temperature_range_c: list[float]
    lamp: str
    lamp_hours: float
    sample: str
    path_length_cm: float
    scans_done: int


class Spectrum(BaseModel):
    wavelength_nm: list[float]
    absorbance: list[float]
    temperature_c: float = Field(description="Holder temperature during the scan (°C)")
    path_length_cm: float
    averages: int
    sample: str
    acquired_at: str = Field(description="UTC time of the end of the scan, ISO 8601")
    instrument: str = "Simulated UV-Vis (jupyterlab-claude example)"


instrument = MCPServer(
    name="uvvis",
    title="UV-Vis spectrometer (simulated)",
    instructions=(
        "A UV-Vis spectrometer with a temperature-controlled cuvette holder holding a DNA duplex. "
        "Check get_status before acquiring; wait for the holder to reach its setpoint."
    ),
    version="1.0.0",
)


@instrument.tool(
    title="Instrument status",
    annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False),
)
def get_status() -> Status:
    """Read the spectrometer's state: holder temperature and setpoint, lamp, sample. Changes nothing."""
    now = holder.temperature()
    return Status(
        temperature_c=round(now, 2),
        setpoint_c=holder.setpoint_c,
        at_setpoint=abs(now - holder.setpoint_c) < 0.2,
        temperature_range_c=[MIN_TEMPERATURE_C, MAX_TEMPERATURE_C],
        lamp="on (deuterium + tungsten)",
        lamp_hours=lamp_hours,
        sample=SAMPLE["name"],
        path_length_cm=SAMPLE["path_length_cm"],
        scans_done=scans_done,
    )


@instrument.tool(
    title="Set the cuvette temperature",
    annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=False),
)
def set_temperature(celsius: float) -> Status:
    """Drive the cuvette holder to a temperature between 4 and 95 °C (it settles in about 30 s)."""
    if not math.isfinite(celsius) or not MIN_TEMPERATURE_C <= celsius <= MAX_TEMPERATURE_C:
        raise ToolError(
            f"Refused: {celsius} °C is outside the holder's range "
            f"({MIN_TEMPERATURE_C:g} to {MAX_TEMPERATURE_C:g} °C). The setpoint stays at {holder.setpoint_c:g} °C."
        )
    holder.set(float(celsius))
    return get_status()


@instrument.tool(
    title="Acquire a spectrum",
    annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False),
)
async def acquire_spectrum(
    ctx: Context,
    start_nm: float = 220.0,
    end_nm: float = 320.0,
    step_nm: float = 1.0,
    averages: int = 4,
    seed: int | None = None,
) -> Spectrum:
    """Scan absorbance from start_nm to end_nm (190-1100 nm) at the current holder temperature.

    Takes a few seconds (more with more averages); progress is reported while it scans.
    """
    global scans_done
    if not (MIN_WAVELENGTH_NM <= start_nm < end_nm <= MAX_WAVELENGTH_NM):
        raise ToolError(f"Refused: scan {start_nm}-{end_nm} nm must lie within 190-1100 nm, start below end.")
    if not 0.1 <= step_nm <= 10:
        raise ToolError("Refused: step_nm must be between 0.1 and 10 nm.")
    if not 1 <= averages <= 64:
        raise ToolError("Refused: averages must be between 1 and 64.")
    count = int(round((end_nm - start_nm) / step_nm)) + 1
    if count > 20000:
        raise ToolError("Refused: that scan has more than 20,000 points; use a larger step.")
    rng = random.Random(seed)
    scan_seconds = float(os.environ.get("UVVIS_SCAN_SECONDS", "3"))
    chunks = 10
    wavelengths = [round(start_nm + i * step_nm, 3) for i in range(count)]
    temperatures = []
    await ctx.report_progress(0, chunks, "Scanning")
    for done in range(1, chunks + 1):
        await _sleep(scan_seconds * (0.5 + 0.5 * min(averages, 16) / 16) / chunks)
        temperatures.append(holder.temperature())
        await ctx.report_progress(done, chunks, f"Scanning: {int(100 * done / chunks)} %")
    temperature = sum(temperatures) / len(temperatures)
    noise = 0.002 / math.sqrt(averages)
    values = [round(absorbance(w, temperature) + rng.gauss(0.0, noise), 5) for w in wavelengths]
    scans_done += 1
    return Spectrum(
        wavelength_nm=wavelengths,
        absorbance=values,
        temperature_c=round(temperature, 2),
        path_length_cm=SAMPLE["path_length_cm"],
        averages=averages,
        sample=SAMPLE["name"],
        acquired_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


async def _sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)


@instrument.resource(
    "uvvis://calibration",
    name="calibration",
    title="Wavelength and photometric calibration",
    description="The last calibration of the spectrometer (holmium oxide lines, dark current, stray light).",
    mime_type="application/json",
)
def calibration() -> dict:
    return {
        "calibrated_at": "2026-11-02T09:30:00Z",
        "wavelength_standard": "holmium oxide filter (NIST SRM 2034)",
        "lines_nm": {"expected": [241.1, 287.2, 361.3, 416.3, 451.4], "measured": [241.2, 287.1, 361.4, 416.2, 451.5]},
        "wavelength_accuracy_nm": 0.2,
        "photometric_accuracy_abs": 0.003,
        "stray_light_percent_at_220nm": 0.05,
        "dark_current_counts": 112,
        "path_length_cm": SAMPLE["path_length_cm"],
    }


@instrument.prompt(title="Plan a melting-curve experiment")
def melting_curve(start_c: str = "20", end_c: str = "90", step_c: str = "2") -> str:
    """Plan a DNA melting-curve (A260 versus temperature) experiment on this instrument."""
    return (
        "Plan a melting-curve experiment on the UV-Vis spectrometer for the sample in the cuvette. "
        f"Heat from {start_c} °C to {end_c} °C in steps of {step_c} °C. At each step: set_temperature, "
        "wait until get_status reports at_setpoint, then acquire_spectrum from 240 to 300 nm. "
        "Collect absorbance at 260 nm against temperature, fit a two-state sigmoid to estimate the melting "
        "temperature Tm and its uncertainty, and say how many scans and how long the run will take before "
        "starting. Ask me before each instrument action."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if args.transport == "stdio":
        instrument.run("stdio")
    else:
        instrument.run("streamable-http", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
