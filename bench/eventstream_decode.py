"""What turning Bedrock's event stream into SSE costs the proxy, per event.

Frames the events of a long recorded answer (mock_api/fixtures/slow_long.sse) as Bedrock does
(AWS event-stream, one ``chunk`` frame each), then times ``EventStreamToSSE`` (botocore's parser)
decoding them, against the credential scrubber every provider's stream already passes through.
Reports microseconds per event for both and the ratio decode/scrub from the same run.

Goal: decoding adds well under 1 ms per event (an answer's events arrive tens of ms apart).

    .venv/bin/python bench/eventstream_decode.py [--repeat 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jupyterlab_claude.providers.eventstream import EventStreamToSSE  # noqa: E402
from jupyterlab_claude.proxy import StreamScrubber  # noqa: E402
from tests.provider_standins import chunk_frame, sse_events  # noqa: E402

GOAL_US_PER_EVENT = 1000.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    events = sse_events((ROOT / "mock_api" / "fixtures" / "slow_long.sse").read_text())
    frames = [chunk_frame(data.encode()) for _, data in events]
    sse = [f"event: {name}\ndata: {data}\n\n".encode() for name, data in events]
    secrets = ["sk-ant-api03-" + "x" * 80, "ABSK" + "y" * 60]

    decode, scrub = [], []
    for _ in range(args.repeat):
        decoder = EventStreamToSSE()
        start = time.perf_counter()
        out = b"".join(decoder.feed(f) for f in frames) + decoder.flush()
        decode.append((time.perf_counter() - start) / len(frames))
        assert out == b"".join(sse)
        scrubber = StreamScrubber(secrets)
        start = time.perf_counter()
        for chunk in sse:
            scrubber.feed(chunk)
        scrubber.flush()
        scrub.append((time.perf_counter() - start) / len(sse))

    result = {
        "events": len(frames),
        "repeat": args.repeat,
        "decode_us_per_event_median": statistics.median(decode) * 1e6,
        "scrub_us_per_event_median": statistics.median(scrub) * 1e6,
    }
    result["ratio_decode_to_scrub"] = result["decode_us_per_event_median"] / result["scrub_us_per_event_median"]
    result["goal_met"] = result["decode_us_per_event_median"] < GOAL_US_PER_EVENT
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['events']} events x {args.repeat}: decode {result['decode_us_per_event_median']:.1f} us/event, "
            f"scrub {result['scrub_us_per_event_median']:.1f} us/event, ratio {result['ratio_decode_to_scrub']:.2f}; "
            f"goal < {GOAL_US_PER_EVENT:g} us: {'met' if result['goal_met'] else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
