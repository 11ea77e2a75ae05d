"""``python -m needsbook.local``: regenerate the suites and example READMEs from the specs."""

from needsbook.local.write import regenerate

for path in regenerate():
    print(f"wrote {path}")
