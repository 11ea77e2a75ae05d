"""The build kernel's start-up: it goes without the IRI parser jsonschema would import (2.5 s,
never used for Vega-Lite), its streams skip flushes with nothing to send, Altair validates each
chart whole (not each part as it is made), and it leaves the notebook's namespace as a plain
kernel does."""

from __future__ import annotations

import asyncio
import json

import pytest

from needsbook.build.kernel import BuildKernelManager
from tests.own_thread import in_own_thread

PROBE = (
    "import json, sys, altair\n"
    "from ipykernel.iostream import OutStream\n"
    "def _malformed():\n"
    "    chart = altair.Chart(altair.Data(values=[])).mark_point(size='big')\n"
    "    try:\n"
    "        chart.to_dict()\n"
    "    except altair.utils.schemapi.SchemaValidationError as e:\n"
    "        return type(e).__name__\n"
    "print(json.dumps({'blocked': sys.modules.get('rfc3987_syntax', 0) is None, "
    "'quick_flush': getattr(OutStream.flush, '_needsbook', False), "
    "'debug': altair.utils.schemapi.DEBUG_MODE, "
    "'malformed': str(_malformed()), "
    "'names': sorted(n for n in dir() if not n.startswith('_'))}))\n"
)
#: Text and display outputs interleaved: each must reach the notebook in this order.
ORDER = (
    "from IPython.display import HTML, display\n"
    "for i in range(3):\n"
    "    print(f'text {i}')\n"
    "    display(HTML(f'<p>shown {i}</p>'))\n"
    "    display(HTML(f'<p>again {i}</p>'))\n"
    "sys.stderr.write('warned\\n')\n"
    "display(HTML('<p>last</p>'))\n"
)


def _probe() -> tuple[dict[str, object], list[str]]:
    printed: list[str] = []
    outputs: list[str] = []

    def hook(msg: dict[str, object]) -> None:
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream" and isinstance(content, dict):
            printed.append(str(content.get("text", "")))

    def order(msg: dict[str, object]) -> None:
        content = msg.get("content", {})
        if not isinstance(content, dict):
            return
        if msg.get("msg_type") == "stream":
            outputs.extend(content["text"].splitlines())
        elif msg.get("msg_type") == "display_data":
            outputs.append(content["data"]["text/html"])

    async def run() -> None:
        km = BuildKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(PROBE, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok"
            reply = await kc.execute_interactive(ORDER, timeout=120, output_hook=order)
            assert reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    in_own_thread(lambda: asyncio.run(run()))  # no event loop left running by another test
    return json.loads("".join(printed)), outputs


@pytest.mark.slow
def test_build_kernel_skips_the_iri_parser_and_keeps_the_namespace_clean() -> None:
    seen, outputs = _probe()
    assert seen["blocked"] is True
    assert seen["quick_flush"] is True
    # charts are not validated part by part as they are made, but whole when shown
    assert (seen["debug"], seen["malformed"]) == (False, "SchemaValidationError")
    # text written before a display output still comes before it
    expected = [
        line for i in range(3) for line in (f"text {i}", f"<p>shown {i}</p>", f"<p>again {i}</p>")
    ]
    assert outputs == [*expected, "warned", "<p>last</p>"]
    # only what the probe itself imported, plus IPython's own names
    assert set(seen["names"]) - {"In", "Out", "exit", "get_ipython", "open", "quit"} == {
        "OutStream",
        "altair",
        "json",
        "sys",
    }


def test_vega_lite_needs_no_iri_format_check() -> None:
    """What makes leaving the parser out safe: no string in Vega-Lite's schema is an IRI."""
    from importlib import resources

    schema = resources.files("altair") / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    walked = _walk(json.loads(schema.read_text(encoding="utf-8")))
    formats = {v for k, v in walked if k == "format" and isinstance(v, str)}
    assert "uri" in formats and not {f for f in formats if "iri" in f}


def _walk(node: object):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_a_stream_is_flushed_when_it_holds_text_or_echoes() -> None:
    from types import SimpleNamespace

    from needsbook.build.kernel_streams import has_pending

    quiet = SimpleNamespace(_flush_pending=False, _subprocess_flush_pending=False, echo=None)
    assert not has_pending(quiet)
    assert has_pending(SimpleNamespace(**{**vars(quiet), "_flush_pending": True}))
    assert has_pending(SimpleNamespace(**{**vars(quiet), "_subprocess_flush_pending": True}))
    assert has_pending(SimpleNamespace(**{**vars(quiet), "echo": object()}))
    assert has_pending(object())  # not an ipykernel stream: always flushed
