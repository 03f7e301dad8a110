"""One benchmark's own section of docs/benchmarks.md: between `<!-- bench:NAME -->` and
`<!-- /bench:NAME -->`, which scripts/bench keeps when it rewrites the rest of the page."""
import re


def write_section(name, lines, path="docs/benchmarks.md"):
    """Replaces the section NAME with `lines`, or appends it; returns the section's text."""
    section = "\n".join([f"<!-- bench:{name} -->", *lines, f"<!-- /bench:{name} -->"])
    text = open(path).read()
    pattern = re.compile(f"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)
    return section
