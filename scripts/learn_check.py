#!/usr/bin/env python3
"""The course's doc runner (scripts/learn-check): runs every command block of
docs/learn against a real stack and checks what it prints.

How a chapter marks its blocks (docs/learn/en/README.md, "How a chapter is checked"):

  ```sh run                 a block the reader is told to run: run, exit status 0
  ```sh run exit=1          ... expected to fail with that status (an attack refused)
  ```sh run timeout=300     ... allowed that many seconds (default 120)
  ```sh run retry=30        ... run again until it passes, for at most that many seconds
  ```sh run always          ... run even after an earlier block of the chapter failed (cleanup)
  ```text expect            right after a run block: lines its output must contain, in
                            order, each as a substring; a line `...` stands for anything
  ```sh norun               shown, not run (Docker's own commands, an interactive session);
                            the text says why

A `sh`/`bash` block with neither `run` nor `norun` is an error: every command a reader
sees is either checked or said not to be. The Chinese and English chapters of the same
file name must hold the same blocks, byte for byte, in the same order: both languages
teach the same commands, and the runner runs them once.

A chapter's blocks run one after another from the repository root, each in its own bash
(`set -eo pipefail`); exported variables carry over to the chapter's next blocks.
`.atrium/` in a command means the stack's state directory: the runner points it at its
own (ATRIUM_STATE_DIR), so the course never touches a developer's stack.

Arguments: chapter file names (or parts of them) to run only those. Prints one line per
block and per chapter and ends with "N passed, N failed"; exits 1 if any failed.
`--sync [CHAPTER...]` copies the English chapters' blocks over the Chinese ones (a writer
changed a command in one language) and runs nothing.
Standard library only.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEARN = os.path.join(ROOT, "docs", "learn")
LANGS = ("zh-CN", "en")
FENCE = re.compile(r"^```(\S*)(.*)$")


@dataclass
class Block:
    code: str
    line: int
    exit: int = 0
    timeout: int = 120
    retry: int = 0
    always: bool = False
    expect: list = field(default_factory=list)

    def key(self):
        return (self.code, self.exit, self.timeout, self.retry, self.always, tuple(self.expect))


class DocError(Exception):
    pass


def parse(path):
    """The run blocks of one chapter, each with its expected output."""
    blocks, lines, i = [], open(path, encoding="utf-8").read().split("\n"), 0
    closed_at = -1  # the line of the last run block's closing fence
    rel = os.path.relpath(path, ROOT)
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        lang, words, start = m.group(1), m.group(2).split(), i + 1
        j = start
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        if j == len(lines):
            raise DocError(f"{rel}:{start}: a fence that never closes")
        body = "\n".join(lines[start:j])
        if lang in ("sh", "bash", "console", "shell"):
            if "run" in words and "norun" in words or not ("run" in words or "norun" in words):
                raise DocError(f"{rel}:{start}: a {lang} block needs `run` or `norun` after the language")
            if "run" in words:
                b = Block(code=body, line=start)
                for w in words:
                    k, _, v = w.partition("=")
                    if k in ("exit", "timeout", "retry"):
                        setattr(b, k, int(v))
                    elif k == "always":
                        b.always = True
                    elif k != "run":
                        raise DocError(f"{rel}:{start}: unknown option {w!r}")
                blocks.append(b)
                closed_at = j
        elif lang == "text" and "expect" in words:
            between = lines[closed_at + 1 : i]
            if not blocks or blocks[-1].expect or closed_at < 0 or any(l.strip() for l in between):
                raise DocError(f"{rel}:{start}: an expect block must follow its run block")
            blocks[-1].expect = [l for l in body.split("\n") if l.strip()]
        i = j + 1
    return blocks


def matches(expect, output):
    """Each expected line appears, in order, within the output's lines."""
    out, at = output.split("\n"), 0
    for want in expect:
        if want.strip() == "...":
            continue
        while at < len(out) and want.strip() not in out[at]:
            at += 1
        if at == len(out):
            return f"expected a line containing {want.strip()!r}"
        at += 1
    return None


def run_block(b, state, env_file):
    code = b.code.replace(".atrium/", state.rstrip("/") + "/")
    script = f"set -eo pipefail\n[ -f {env_file} ] && . {env_file}\n{code}\nexport -p > {env_file}.next\n"
    deadline = time.monotonic() + b.retry
    while True:
        try:
            # One stream, so expected lines from stdout and stderr keep their order.
            r = subprocess.run(
                ["bash", "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=b.timeout, env=os.environ,
            )
            status, output = r.returncode, r.stdout
        except subprocess.TimeoutExpired as e:
            partial = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            status, output = None, f"timed out after {b.timeout}s\n{partial}"
        why = None
        if status != b.exit:
            why = f"exit status {status}, expected {b.exit}"
        else:
            why = matches(b.expect, output)
        if why is None or time.monotonic() >= deadline:
            break
        time.sleep(2)
    if why is None and os.path.exists(env_file + ".next"):
        os.replace(env_file + ".next", env_file)
    return why, output


def chapters(selected, lang=LANGS[0]):
    names = sorted(os.listdir(os.path.join(LEARN, lang)))
    names = [n for n in names if n.endswith(".md")]
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    return names


def check_languages(name):
    """The same blocks in both languages; returns them."""
    per = {}
    for lang in LANGS:
        path = os.path.join(LEARN, lang, name)
        if not os.path.exists(path):
            raise DocError(f"docs/learn/{lang}/{name} is missing")
        per[lang] = parse(path)
    a, b = ([x.key() for x in per[lang]] for lang in LANGS)
    if a != b:
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                raise DocError(f"{name}: block {i + 1} differs between {LANGS[0]} (line {per[LANGS[0]][i].line}) and {LANGS[1]} (line {per[LANGS[1]][i].line})")
        raise DocError(f"{name}: {LANGS[0]} has {len(a)} run blocks, {LANGS[1]} has {len(b)}")
    return per[LANGS[0]]


def fences(text):
    """The file as alternating prose and fenced blocks; odd indexes are the blocks."""
    parts, current, inside = [], [], False
    for line in text.split("\n"):
        opens = not inside and line.startswith("```")
        closes = inside and line.rstrip() == "```"
        if opens:
            parts.append("\n".join(current))
            current = [line]
            inside = True
        elif closes:
            current.append(line)
            parts.append("\n".join(current))
            current = []
            inside = False
        else:
            current.append(line)
    parts.append("\n".join(current))
    return parts


def sync(selected):
    """--sync: copies the English chapters' blocks over the Chinese ones, in order, for a
    writer who changed a command in one language. Refuses when the counts differ."""
    for name in chapters(selected, lang="en"):
        en_path, zh_path = (os.path.join(LEARN, lang, name) for lang in ("en", "zh-CN"))
        if not os.path.exists(zh_path):
            print(f"skip {name}: no zh-CN twin yet")
            continue
        en, zh = fences(open(en_path, encoding="utf-8").read()), fences(open(zh_path, encoding="utf-8").read())
        if len(en) != len(zh):
            print(f"FAIL {name}: {len(en) // 2} blocks in en, {len(zh) // 2} in zh-CN; sync by hand")
            continue
        out = [zh[i] if i % 2 == 0 else en[i] for i in range(len(zh))]
        if out != zh:
            open(zh_path, "w", encoding="utf-8").write("\n".join(out))
            print(f"synced {name}")


def main():
    if sys.argv[1:2] == ["--sync"]:
        sync(sys.argv[2:])
        return 0
    selected = sys.argv[1:]
    state = os.environ.get("ATRIUM_STATE_DIR") or os.path.join(ROOT, ".atrium")
    passed = failed = 0
    started = time.monotonic()
    # Every chapter's two languages first: a mismatch fails before anything runs.
    plan = []
    for name in chapters(selected):
        try:
            plan.append((name, check_languages(name)))
        except DocError as e:
            print(f"FAIL {e}", flush=True)
            failed += 1
    for name, blocks in plan:
        t0 = time.monotonic()
        env_file = tempfile.mktemp(prefix="atrium-learn-env.")
        broken = None
        for n, b in enumerate(blocks, 1):
            if broken and not b.always:
                continue
            why, output = run_block(b, state, env_file)
            if why:
                print(f"FAIL {name} block {n} (line {b.line}): {why}\n--- command\n{b.code}\n--- output\n{output.rstrip()[-4000:]}\n---", flush=True)
                broken = broken or n
        for f in (env_file, env_file + ".next"):
            if os.path.exists(f):
                os.remove(f)
        took = time.monotonic() - t0
        if broken:
            failed += 1
            print(f"FAIL {name}: stopped at block {broken} of {len(blocks)} ({took:.0f} s)", flush=True)
        else:
            passed += 1
            print(f"ok   {name}: {len(blocks)} blocks ({took:.0f} s)", flush=True)
    print(f"the course's commands took {time.monotonic() - started:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
