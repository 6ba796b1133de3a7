#!/usr/bin/env python3
"""Message catalogs without GNU gettext (a fresh machine has only Python, pip and make).

    python scripts/compile_messages.py            # compile every getelec/locale/*/LC_MESSAGES/*.po
    python scripts/compile_messages.py --extract  # refresh django.po from the sources first

Chinese is the source language: msgids are the Chinese texts in `gettext()`/`{% translate %}`;
the `en` catalog holds their English. `--extract` collects the msgids the way `makemessages`
does (templates through Django's own `templatize`), keeps existing translations, adds new
msgids with an empty msgstr and marks vanished ones obsolete (`#~`). Compilation follows
CPython's Tools/i18n/msgfmt.py; fuzzy entries are skipped as msgfmt does.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import struct
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "getelec"
LOCALE = PACKAGE / "locale"
HEADER = (
    "Project-Id-Version: getting-electricity\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Language: {lang}\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
)

# function name -> (kind) ; kinds: s = singular, n = plural, p = context, np = context+plural
KEYWORDS = {
    "_": "s",
    "gettext": "s",
    "gettext_lazy": "s",
    "gettext_noop": "s",
    "ngettext": "n",
    "ngettext_lazy": "n",
    "pgettext": "p",
    "pgettext_lazy": "p",
    "npgettext": "np",
    "npgettext_lazy": "np",
}


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


# --- extraction ------------------------------------------------------------------------------


def _strings_after(tokens: list[tokenize.TokenInfo], i: int) -> tuple[list[str], int]:
    """The literal string arguments of the call whose '(' is tokens[i] (until a non-literal)."""
    args: list[str] = []
    current: list[str] = []
    depth = 0
    j = i
    while j < len(tokens):
        tok = tokens[j]
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
            if depth > 1:
                return args, j
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
            if current:
                args.append("".join(current))
            return args, j
        elif tok.type == tokenize.OP and tok.string == "," and depth == 1:
            if not current:
                return args, j
            args.append("".join(current))
            current = []
        elif tok.type == tokenize.STRING:
            if re.match(r"^[rRuU]?[fF]|^[fF]", tok.string):
                return args, j  # f-strings are not translatable
            current.append(ast.literal_eval(tok.string))
        elif tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            pass
        elif tok.type == tokenize.NAME and depth == 1 and tokens[j + 1].string == "=":
            return args, j  # keyword argument
        elif depth >= 1 and tok.type not in (tokenize.INDENT, tokenize.DEDENT):
            return args, j
        j += 1
    return args, j


def extract_python(source: str, reference: str) -> list[Entry]:
    entries: list[Entry] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return entries
    for i, tok in enumerate(tokens[:-1]):
        if tok.type != tokenize.NAME or tok.string not in KEYWORDS:
            continue
        if tokens[i + 1].string != "(":
            continue
        if i > 0 and tokens[i - 1].string in (".", "def"):
            continue
        kind = KEYWORDS[tok.string]
        args, _ = _strings_after(tokens, i + 1)
        ref = f"{reference}:{tok.start[0]}"
        need = {"s": 1, "n": 2, "p": 2, "np": 3}[kind]
        if len(args) < need:
            continue
        if kind == "s":
            entries.append(Entry(args[0], references=[ref]))
        elif kind == "n":
            entries.append(Entry(args[0], args[1], msgstr=["", ""], references=[ref]))
        elif kind == "p":
            entries.append(Entry(args[1], msgctxt=args[0], references=[ref]))
        else:
            entries.append(
                Entry(args[1], args[2], msgctxt=args[0], msgstr=["", ""], references=[ref])
            )
    for entry in entries:
        if "%(" in entry.msgid or re.search(r"%[sd]", entry.msgid):
            entry.flags.add("python-format")
    return entries


def extract_template(source: str, reference: str) -> list[Entry]:
    from django.utils.translation.template import templatize

    # templatize keeps the template's layout; Python's tokenizer only needs the calls, so
    # drop the indentation it would otherwise reject.
    code = "\n".join(line.lstrip() for line in templatize(source, origin=reference).splitlines())
    return extract_python(code, reference)


def source_files() -> list[Path]:
    files: list[Path] = []
    for path in sorted(PACKAGE.rglob("*")):
        parts = set(path.relative_to(PACKAGE).parts)
        if parts & {"migrations", "tests", "__pycache__", "static", "locale"}:
            continue
        if path.suffix == ".py" or (path.suffix in (".html", ".txt") and "templates" in parts):
            files.append(path)
    return files


def extract() -> list[Entry]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "getelec.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    found: dict[tuple[str | None, str], Entry] = {}
    for path in source_files():
        reference = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        parsed = (
            extract_python(text, reference)
            if path.suffix == ".py"
            else extract_template(text, reference)
        )
        for entry in parsed:
            if not entry.msgid:
                continue
            if entry.key in found:
                found[entry.key].references += entry.references
                found[entry.key].flags |= entry.flags
            else:
                found[entry.key] = entry
    return list(found.values())


# --- .po reading and writing -----------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def read_po(path: Path) -> tuple[str, list[Entry]]:
    """(header msgstr, entries). Supports what this script writes plus ordinary msgfmt input."""
    entries: list[Entry] = []
    header = ""
    if not path.exists():
        return header, entries
    entry: Entry | None = None
    section = ""
    flags: set[str] = set()
    refs: list[str] = []

    def finish() -> None:
        nonlocal entry, header
        if entry is None:
            return
        if entry.msgid == "" and entry.msgctxt is None:
            header = entry.msgstr[0]
        else:
            entries.append(entry)
        entry = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        obsolete = raw.startswith("#~ ")
        line = raw[3:] if obsolete else raw
        if not line.strip():
            continue
        if line.startswith("#,"):
            finish()
            flags = {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#:"):
            finish()
            refs += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            finish()
            entry = Entry("", msgctxt=_unquote(rest), flags=flags, references=refs)
            flags, refs, section = set(), [], "msgctxt"
        elif keyword == "msgid":
            if entry is None or section != "msgctxt":
                finish()
                entry = Entry("", flags=flags, references=refs)
                flags, refs = set(), []
            entry.msgid = _unquote(rest)
            entry.obsolete = obsolete
            section = "msgid"
        elif keyword == "msgid_plural" and entry is not None:
            entry.msgid_plural = _unquote(rest)
            entry.msgstr = []
            section = "msgid_plural"
        elif keyword == "msgstr" and entry is not None:
            entry.msgstr = [_unquote(rest)]
            section = "msgstr"
        elif keyword.startswith("msgstr[") and entry is not None:
            index = int(keyword[7:-1])
            while len(entry.msgstr) <= index:
                entry.msgstr.append("")
            entry.msgstr[index] = _unquote(rest)
            section = f"msgstr{index}"
        elif line.startswith('"') and entry is not None:
            text = _unquote(line)
            if section == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + text
            elif section == "msgid":
                entry.msgid += text
            elif section == "msgid_plural":
                entry.msgid_plural += text
            elif section == "msgstr":
                entry.msgstr[0] += text
            elif section.startswith("msgstr"):
                entry.msgstr[int(section[6:])] += text
    finish()
    return header, entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" not in escaped[:-1]:
        return '"' + escaped.replace("\n", "\\n") + '"'
    lines = escaped.split("\n")
    parts = ['""'] + [f'"{line}\\n"' for line in lines[:-1]]
    if lines[-1]:
        parts.append(f'"{lines[-1]}"')
    return "\n".join(parts)


def write_po(path: Path, header: str, entries: list[Entry]) -> None:
    out = ['msgid ""', "msgstr " + _quote(header), ""]
    for entry in entries:
        prefix = "#~ " if entry.obsolete else ""
        if not entry.obsolete:
            for ref in sorted(set(entry.references))[:6]:
                out.append(f"#: {ref}")
        if entry.flags:
            out.append("#, " + ", ".join(sorted(entry.flags)))
        lines = []
        if entry.msgctxt is not None:
            lines.append("msgctxt " + _quote(entry.msgctxt))
        lines.append("msgid " + _quote(entry.msgid))
        if entry.msgid_plural:
            lines.append("msgid_plural " + _quote(entry.msgid_plural))
            for i, text in enumerate(entry.msgstr or ["", ""]):
                lines.append(f"msgstr[{i}] " + _quote(text))
        else:
            lines.append("msgstr " + _quote(entry.msgstr[0] if entry.msgstr else ""))
        for line in lines:
            out.extend(prefix + part for part in line.split("\n"))
        out.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


def merge(path: Path, lang: str) -> tuple[int, int]:
    """Refresh `path` from the sources; returns (entries, untranslated)."""
    header, old = read_po(path)
    translations = {e.key: e for e in old}
    fresh = extract()
    merged: list[Entry] = []
    for entry in sorted(fresh, key=lambda e: (e.references[0] if e.references else "", e.msgid)):
        previous = translations.pop(entry.key, None)
        if previous is not None and any(previous.msgstr):
            entry.msgstr = previous.msgstr
            entry.flags |= previous.flags & {"fuzzy"}
        merged.append(entry)
    for leftover in translations.values():
        if any(leftover.msgstr):
            leftover.obsolete = True
            merged.append(leftover)
    write_po(path, header or HEADER.format(lang=lang), merged)
    missing = sum(1 for e in merged if not e.obsolete and not all(e.msgstr))
    return len(merged), missing


# --- compilation (CPython Tools/i18n/msgfmt.py) ----------------------------------------------


def compile_po(po: Path, mo: Path) -> int:
    header, entries = read_po(po)
    messages: dict[bytes, bytes] = {b"": header.encode("utf-8")}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or not all(entry.msgstr):
            continue
        key = entry.msgid.encode("utf-8")
        if entry.msgid_plural:
            key += b"\0" + entry.msgid_plural.encode("utf-8")
        if entry.msgctxt is not None:
            key = entry.msgctxt.encode("utf-8") + b"\x04" + key
        messages[key] = b"\0".join(s.encode("utf-8") for s in entry.msgstr)
    keys = sorted(messages)
    offsets, ids, strs = [], b"", b""
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    output += struct.pack(f"{len(koffsets)}i", *koffsets)
    output += struct.pack(f"{len(voffsets)}i", *voffsets)
    output += ids + strs
    mo.write_bytes(output)
    return len(keys) - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", action="store_true", help="refresh django.po files first")
    args = parser.parse_args(argv)
    for lang_dir in sorted(LOCALE.glob("*/LC_MESSAGES")):
        po = lang_dir / "django.po"
        lang = lang_dir.parent.name
        if args.extract:
            total, missing = merge(po, lang)
            print(f"{po.relative_to(ROOT)}: {total} messages, {missing} untranslated")
        if po.exists():
            count = compile_po(po, lang_dir / "django.mo")
            print(f"{(lang_dir / 'django.mo').relative_to(ROOT)}: {count} translations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
