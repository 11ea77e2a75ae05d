"""The Jupyter kernel manager a build runs its chapter notebooks with."""

from __future__ import annotations

import zmq
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from needsbook.build import interrupts


class BuildKernelManager(AsyncKernelManager):
    """A kernel manager without the two messages a plain one makes the kernel print.

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

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down and not interrupts.requested():
            return
        await super()._async_interrupt_kernel()
