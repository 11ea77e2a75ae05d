"""The Jupyter kernel manager a build runs its chapter notebooks with."""

from __future__ import annotations

import zmq
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from needsbook.build import interrupts

#: Run by each build kernel as it starts. jsonschema (which Altair validates with) imports
#: ``rfc3987_syntax`` for its optional IRI format check when installed (Jupyter's own packages
#: install it), and that import builds a parser for about 2.5 s; Vega-Lite's schema has no IRI
#: formats, so the build's kernels go without it (the check is then simply not registered).
#: It also makes its output streams skip flushes with nothing to send
#: (:mod:`needsbook.build.kernel_streams`), and turns off Altair's debug mode, in which every
#: part of a chart (each mark, channel, scale) is validated against the Vega-Lite schema as it
#: is made, about 3,000 checks a book; each chart is still validated whole when it is shown,
#: so a malformed chart still fails the build.
KERNEL_STARTUP = (
    "__import__('sys').modules.setdefault('rfc3987_syntax', None)",
    "__import__('needsbook.build.kernel_streams', fromlist=['install']).install()",
    "__import__('altair.utils.schemapi', fromlist=['disable_debug_mode']).disable_debug_mode()",
)

#: Command-line settings of each build kernel. No output cache (``Out``, ``_``): a build never
#: reads it, and without one IPython's reset does not run a full garbage collection (the warm
#: kernel's prelude decides when to collect: :func:`needsbook.build.batch.warm_execute`).
KERNEL_SETTINGS = ("--InteractiveShell.cache_size=0",)


class BuildKernelManager(AsyncKernelManager):
    """A kernel manager without the two messages a plain one makes the kernel print, whose
    kernels skip an import they never use (:data:`KERNEL_STARTUP`) and keep no output cache
    (:data:`KERNEL_SETTINGS`).

    - ipykernel 7 warns at every start that its TCP channels are not encrypted: this manager
      gives the kernel CurveZMQ keys (its kernelspec declares that it can use them).
    - jupyter_client 8 sends SIGINT before every shutdown, to stop a running cell; a kernel
      that is between messages then logs "KeyboardInterrupt caught in kernel". A build shuts
      down kernels whose notebook has finished, so this manager interrupts the kernel only when
      the build itself was asked to stop.
    """

    @default("transport_encryption")
    def _encrypt_when_possible(self) -> str:
        return "auto" if zmq.has("curve") else "disabled"

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        startup = [f"--IPKernelApp.exec_lines={line}" for line in KERNEL_STARTUP]
        return super().format_kernel_cmd([*(extra_arguments or []), *startup, *KERNEL_SETTINGS])

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down and not interrupts.requested():
            return
        await super()._async_interrupt_kernel()
