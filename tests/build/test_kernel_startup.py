"""The build kernel's start-up: it goes without the IRI parser jsonschema would import (2.5 s,
never used for Vega-Lite) and leaves the notebook's namespace as a plain kernel does."""

from __future__ import annotations

import asyncio
import json

import pytest

from needsbook.build.kernel import BuildKernelManager
from tests.own_thread import in_own_thread

PROBE = (
    "import json, sys, altair\n"
    "print(json.dumps({'blocked': sys.modules.get('rfc3987_syntax', 0) is None, "
    "'names': sorted(n for n in dir() if not n.startswith('_'))}))"
)


def _probe() -> dict[str, object]:
    printed: list[str] = []

    def hook(msg: dict[str, object]) -> None:
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream" and isinstance(content, dict):
            printed.append(str(content.get("text", "")))

    async def run() -> None:
        km = BuildKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(PROBE, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    in_own_thread(lambda: asyncio.run(run()))  # no event loop left running by another test
    return json.loads("".join(printed))


@pytest.mark.slow
def test_build_kernel_skips_the_iri_parser_and_keeps_the_namespace_clean() -> None:
    seen = _probe()
    assert seen["blocked"] is True
    # only what the probe itself imported, plus IPython's own names
    assert set(seen["names"]) - {"In", "Out", "exit", "get_ipython", "open", "quit"} == {
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
