"""needsbook: children and young people's early-help needs assessments as reproducible books."""

import sys

__version__ = "0.1.0"

#: jsonschema (which Altair and nbformat validate with) imports ``rfc3987_syntax`` for its
#: optional IRI format check when that is installed (Jupyter's own packages install it), and
#: the import builds a parser: about 2 s in every process that imports Altair or the build.
#: Neither Vega-Lite's schema nor the notebook format's has an IRI format, so needsbook's
#: processes (the command line, batch and Dask workers, chapter kernels) go without it and
#: jsonschema simply does not register that one check. A process that imported it already
#: keeps it.
sys.modules.setdefault("rfc3987_syntax", None)
