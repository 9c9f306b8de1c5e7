#!/usr/bin/python3
"""Write man pages (section 1) for shipml, generated from the CLI's own --help output.

    scripts/make-manpages.py [--date DATE] SHIPML_BINARY OUT_DIR

Writes OUT_DIR/shipml.1 and one page per command: shipml-train.1, shipml-runs-list.1, ...
Commands are discovered from the help text, recursively. The output depends only on the
binary and the date (default: the date of the newest git commit), so it is reproducible.

The help parser here is also used by scripts/make-completion.py. Standard library only.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

PROG = "shipml"

# ---------------------------------------------------------------------------------------
# Reading CLI11's help
#
# CLI11 (2.x) prints a command's help like this:
#
#   List runs, newest first (or as sorted), with their main metrics     <- description
#   Usage: shipml runs list [OPTIONS] [name] ids...                       <- usage, one line
#                                                                         <- blank line
#   Positionals:                                                          <- section heading
#     ids TEXT ... REQUIRED       run ids (or unique prefixes)            <- entry: spec, help
#                                                                         <- blank line
#   Options:
#     -h,--help                   Print this help message and exit
#     -p,--port INT:INT in [0 - 65535]=8080                              <- spec too long:
#                                 port (0: any free port)                 <- help on next line
#                                                                         <- blank line
#   Subcommands:
#     list                        List runs ...
#                                                                         <- blank line
#   Draw a chart as SVG, PNG or PDF. Charts:                              <- footer, free text
#     roc                   ROC curve ...
#
# An entry line is "  " + spec, padded to a fixed column (30), then the help text. When
# "  " + spec is as wide as the column or wider, CLI11 ends the line after the spec and
# puts the help on the next line, indented to the column. Help texts containing newlines
# (or wrapped by a newer CLI11) also continue on lines indented to the column; we join them.
# ---------------------------------------------------------------------------------------

# A section heading: "Options:", "Positionals:", "Subcommands:" or an option group's name.
# Sentence punctuation rules out a footer line such as "Draw a chart as SVG. Charts:".
HEADING_RE = re.compile(r"^[^\s.,;!?][^.,;!?]{0,60}:$")


class Entry:
    """One entry of a help section: an option, a positional or a subcommand."""

    def __init__(self, spec, help_text):
        self.spec = spec  # e.g. "-p,--port INT:INT in [0 - 65535]=8080"
        self.help = help_text
        self.names = []  # ["-p", "--port"], ["model"] or ["list"]
        self.type = ""  # "INT", "TEXT", ... ("" for a flag)
        self.checks = []  # validator texts: "INT in [0 - 65535]", "FILE", "{a,b}"
        self.default = ""
        self.repeat = False  # " ..." : takes several values / may be repeated
        self.required = False
        self.needs = []
        self.excludes = []
        self.env = ""
        self._parse_spec()

    def _parse_spec(self):
        names, _, rest = self.spec.partition(" ")
        self.names = [n.strip() for n in names.split(",") if n.strip()]
        # CLI11 writes, after the names: " TYPE[:CHECK...][=DEFAULT]", " ..." (or " x N"),
        # " REQUIRED", " (Env:NAME)", " Needs: a b", " Excludes: a b". Peel them off the end.
        rest = " " + rest
        m = re.search(r" Excludes:((?: \S+)+)$", rest)
        if m:
            self.excludes, rest = m.group(1).split(), rest[: m.start()]
        m = re.search(r" Needs:((?: \S+)+)$", rest)
        if m:
            self.needs, rest = m.group(1).split(), rest[: m.start()]
        m = re.search(r" \(Env:(\S+)\)$", rest)
        if m:
            self.env, rest = m.group(1), rest[: m.start()]
        if rest.endswith(" REQUIRED"):
            self.required, rest = True, rest[: -len(" REQUIRED")]
        m = re.search(r" (\.\.\.|x \d+)$", rest)
        if m:
            self.repeat, rest = True, rest[: m.start()]
        # "TYPE:CHECK:CHECK=DEFAULT": split on ':' and the first '=' outside brackets
        # ("INT in [0 - 65535]" and "{a,b}" may contain anything).
        rest = rest.strip()
        parts, depth, cur = [], 0, ""
        for i, c in enumerate(rest):
            depth += (c in "[{(") - (c in "]})")
            if depth == 0 and c == "=":
                self.default = rest[i + 1:]
                break
            if depth == 0 and c == ":":
                parts.append(cur)
                cur = ""
            else:
                cur += c
        parts.append(cur)
        parts = [p.strip() for p in parts if p.strip()]
        if parts:
            self.type, self.checks = parts[0], parts[1:]

    @property
    def name(self):
        return self.names[0]

    @property
    def is_option(self):
        return self.name.startswith("-")

    @property
    def takes_value(self):
        return bool(self.type or self.checks or self.default)

    @property
    def choices(self):
        """The values of a CLI11 IsMember check ("TEXT:{a,b,c}"), else []."""
        for c in self.checks:
            if c.startswith("{") and c.endswith("}"):
                return [v.strip() for v in c[1:-1].split(",") if v.strip()]
        return []


class Help:
    """A command's parsed --help: description, usage, sections of entries, footer."""

    def __init__(self, output):
        lines = [line.rstrip() for line in output.expandtabs().splitlines()]
        usage_at = next((i for i, l in enumerate(lines) if l.startswith("Usage:")), None)
        if usage_at is None:
            raise ValueError("no 'Usage:' line; this is not CLI11 help")
        self.description = [l.strip() for l in lines[:usage_at] if l.strip()]
        self.usage = lines[usage_at][len("Usage:"):].strip()
        self.sections = []  # [(heading, [Entry])]
        self.footer = []
        rows, i = [], usage_at + 1
        while i < len(lines) and lines[i]:  # a long usage might wrap
            self.usage += " " + lines[i].strip()
            i += 1
        heading, after_blank = None, True
        for j in range(i, len(lines)):
            line = lines[j]
            if not line:
                heading, after_blank = None, True
            elif after_blank and heading is None and self._is_heading(line, lines[j + 1:]):
                heading, after_blank = line[:-1], False
                self.sections.append((heading, []))
            elif heading is not None and line[0] == " ":
                rows.append((len(self.sections) - 1, line))
            else:  # free text after the sections: the footer, kept verbatim
                self.footer = lines[j:]
                break
        while self.footer and not self.footer[-1]:
            self.footer.pop()
        self._parse_entries(rows)

    @staticmethod
    def _is_heading(line, rest):
        """A section heading is followed by entries; an option group's start with '-'.
        ("Examples:" then "  shipml fit a.csv" is footer text, not an option group.)"""
        if not HEADING_RE.match(line) or not rest or not rest[0].startswith("  "):
            return False
        kind = line.lower()
        return "positional" in kind or "command" in kind or rest[0].lstrip().startswith("-")

    def _parse_entries(self, rows):
        # The help column: where help texts start. Found from the rows themselves (the
        # text after a gap of 2+ spaces, the indent of continuation lines); CLI11 uses 30.
        starts = collections.Counter()
        for _, line in rows:
            indent = len(line) - len(line.lstrip())
            m = re.search(r"\S {2,}(?=\S)", line)
            if indent > 2:
                starts[indent] += 1
            elif m:
                starts[m.end()] += 1
        col = starts.most_common(1)[0][0] if starts else 30
        entry_indent = min(len(l) - len(l.lstrip()) for _, l in rows) if rows else 2
        for k, (section, line) in enumerate(rows):
            indent = len(line) - len(line.lstrip())
            if indent > entry_indent:  # continuation of the previous entry's help
                entries = self.sections[section][1]
                if entries:
                    e = entries[-1]
                    e.help = (e.help + " " + line.strip()).strip()
                continue
            nxt = rows[k + 1][1] if k + 1 < len(rows) else ""
            next_continues = len(nxt) - len(nxt.lstrip()) > entry_indent
            spec, help_text = line.strip(), ""
            # Spec and help share the line when the help starts at the column after at
            # least one space of padding. A spec exactly one short of the column leaves a
            # single space; a long spec that happens to have a space there is told apart
            # by its help being on the next line.
            if len(line) > col and line[col - 1] == " " and line[col] != " ":
                if line[:col].endswith("  ") or not next_continues:
                    spec, help_text = line[:col].strip(), line[col:].strip()
            self.sections[section][1].append(Entry(spec, re.sub(r"\s+", " ", help_text)))

    def _entries(self, kind):
        out = []
        for heading, entries in self.sections:
            low = heading.lower()
            is_sub = "command" in low
            is_pos = low.startswith("positional")
            if kind == ("sub" if is_sub else "pos" if is_pos else "opt"):
                out += entries
        return out

    @property
    def options(self):
        return self._entries("opt")

    @property
    def positionals(self):
        return self._entries("pos")

    @property
    def subcommands(self):
        return self._entries("sub")


def footer_items(footer):
    """'  name    text' rows of a footer (e.g. the chart kinds of `shipml plot`)."""
    return [m.group(1) for m in (re.match(r"^\s+(\S+)\s{2,}\S", l) for l in footer) if m]


def die(message):
    sys.exit(f"{os.path.basename(sys.argv[0])}: error: {message}")


def run(binary, args):
    """The binary's standard output; exits with a message if it cannot run or fails."""
    cmd = [binary, *args]
    env = dict(os.environ, SHIPML_TRACKING="off")  # never record anything while looking
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=60, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        die(f"cannot run `{' '.join(cmd)}`: {e}")
    if p.returncode != 0:
        detail = (p.stderr or p.stdout).strip().splitlines()
        die(f"`{' '.join(cmd)}` failed with exit status {p.returncode}"
            + (f": {detail[0]}" if detail else ""))
    return p.stdout


def load_commands(binary):
    """{(): Help of shipml, ("runs",): Help, ("runs", "list"): Help, ...}, depth first."""
    commands = {}

    def visit(path):
        args = [*path, "--help"]
        try:
            commands[path] = help_ = Help(run(binary, args))
        except ValueError as e:
            die(f"`{binary} {' '.join(args)}`: {e}")
        if not help_.options or help_.usage.split()[1:len(path) + 1] != list(path):
            die(f"`{binary} {' '.join(args)}` does not print CLI11 help for "
                f"`{' '.join((PROG, *path))}`")
        for sub in help_.subcommands:
            if len(path) < 5 and path + (sub.name,) not in commands:
                visit(path + (sub.name,))

    visit(())
    return commands


# ---------------------------------------------------------------------------------------
# Writing roff
# ---------------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"""
    (?P<opt>(?<![\w-])--?[A-Za-z0-9][\w-]*)   # an option name: -e, --test-size, -start_time
  | `(?P<code>[^`]+)`                          # `shipml estimators`: set in bold
  | (?P<hyphen>-)
  | (?P<special>[\\'\x80-\U0010ffff])
""", re.X)


def esc(text):
    """Plain text as roff text (inside a line; text() for the start of one)."""
    def sub(m):
        if m.group("opt"):
            return m.group("opt").replace("-", r"\-")
        if m.group("code"):
            return r"\fB" + esc(m.group("code")) + r"\fR"
        if m.group("hyphen"):
            # a hyphen joining two words (held-out, K-fold) stays a hyphen; anything else
            # ("[0 - 1]", "'-'") is a minus sign
            s, i = m.string, m.start()
            joins = 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()
            return "-" if joins else r"\-"
        c = m.group("special")
        return {"\\": r"\e", "'": r"\(aq"}.get(c) or rf"\[u{ord(c):04X}]"
    return TOKEN_RE.sub(sub, text)


def text(s):
    """esc() for text that starts a line: a leading '.' would be read as a request."""
    t = esc(s)
    return r"\&" + t if t.startswith(".") else t


def period(s):
    s = s.strip()
    return s if not s or s[-1] in ".!?:" else s + "."


def sentence(s):
    return text(period(s))


def bold(s):
    return r"\fB" + esc(s) + r"\fR"


def page_name(path):
    return "-".join((PROG, *path))


def name_esc(path):
    """A page's name, its hyphens as \\- (so it can be copied and searched)."""
    return page_name(path).replace("-", r"\-")


def ref(path):
    return r"\fB" + name_esc(path) + r"\fR(1)"


def synopsis(usage, path):
    """'shipml inspect [OPTIONS] model...' -> command in bold, arguments in italics."""
    words = usage.split()
    n = len(path) + 1
    out = [bold(" ".join(words[:n]))]
    for w in words[n:]:
        m = re.match(r"^(\[?)(.*?)(\.\.\.|\(\d+x\))?(\]?)$", w)
        out.append(esc(m.group(1)) + r"\fI" + esc(m.group(2)) + r"\fR" + esc(m.group(3) or "")
                   + esc(m.group(4)))
    return " ".join(out)


def free_text(text_lines):
    """A description or a CLI11 footer: paragraphs, and indented 'name  text' lists."""
    out, in_list, literal = [], False, False
    while text_lines and not text_lines[-1].strip():
        text_lines = text_lines[:-1]
    for line in text_lines:
        item = re.match(r"^\s+(\S+)\s{2,}(\S.*)$", line)
        if literal and not line.startswith(" "):
            out += [".fi", ".RE"] + ([".PP"] if line.strip() else [])
            literal = False
        if not line.strip():
            if out and out[-1] != ".PP":
                out.append(".PP")
            in_list = False
        elif item:
            out += [".TP", bold(item.group(1)), text(item.group(2))]
            in_list = True
        elif line.startswith(" ") and in_list:  # a wrapped list item
            out.append(text(line.strip()))
        elif line.startswith(" "):  # indented text, e.g. an example: kept as is
            if not literal:
                out += [".RS 4", ".nf"]
                literal = True
            out.append(text(line.strip()))
        else:
            if in_list:
                out.append(".PP")
                in_list = False
            out.append(text(line.strip()))
    if literal:
        out += [".fi", ".RE"]
    return out


def check_note(check):
    """A CLI11 validator, said in words."""
    m = re.match(r"^\w+ in (\[.*\])$", check)  # Range: "INT in [2 - 1000]"
    if m:
        return "Range: " + esc(m.group(1)) + "."
    words = {"FILE": "Must be an existing file.", "DIR": "Must be an existing directory.",
             "PATH(existing)": "Must be an existing path.",
             "PATH(non-existing)": "Must not exist yet."}
    return esc(words.get(check, "Check: " + check + "."))


def entry_item(e):
    """An option or positional as a .TP item: names and argument, help, then constraints."""
    if e.is_option:
        tag = ", ".join(bold(n) for n in e.names)
        if e.takes_value:
            tag += " " + r"\fI" + esc(e.type or "VALUE") + r"\fR" + (" ..." if e.repeat else "")
    else:
        tag = r"\fI" + esc(e.name) + r"\fR" + (" ..." if e.repeat else "")
    notes = []
    if e.choices:
        notes.append("One of: " + ", ".join(bold(c) for c in e.choices) + ".")
    notes += [check_note(c) for c in e.checks if not (c.startswith("{") and c.endswith("}"))]
    if e.default:
        notes.append("Default: " + bold(e.default) + ".")
    if e.required:
        notes.append("Required.")
    if e.needs:
        notes.append("Needs: " + ", ".join(bold(n) for n in e.needs) + ".")
    if e.excludes:
        notes.append("Cannot be used with " + ", ".join(bold(n) for n in e.excludes) + ".")
    if e.env:
        notes.append("Environment: " + bold(e.env) + ".")
    body = [text(e.help)] if e.help else []
    if body and notes:
        body.append(".br")
    return [".TP", tag, *body, *notes]


EXIT_STATUS = [
    ".TP", "0", "Success.",
    ".TP", "1", "Bad data or a bad model file: a file that cannot be read or parsed, data "
    "that does not fit the model; or another failure while running.",
    ".TP", "2", "Bad usage: an unknown command or option, a missing required option, an "
    r"invalid value (such as an unknown estimator name, or a \fB\-\-data\fR file that does "
    "not exist).",
]

# From docs/tracking.md (and src/track/): what the tracking variables mean.
ENVIRONMENT = [
    ".TP", r"\fBSHIPML_TRACKING\fR",
    r"Set to \fBoff\fR (or \fB0\fR, \fBfalse\fR, \fBno\fR) to record no runs, as "
    r"\fB\-\-no\-track\fR does for one command. Otherwise every \fBtrain\fR, \fBscore\fR "
    "and other tracked command is written down as a run: command line, data fingerprint, "
    "estimator parameters, validation, metrics, and the model file it saved.",
    ".TP", r"\fBSHIPML_TRACKING_URI\fR",
    "Where runs and the model registry are stored. Unset: the folder \\fB./runs\\fR "
    "(an SQLite database, \\fBruns/shipml.db\\fR, and the artifact files under "
    r"\fBruns/artifacts/\fR). A folder: SQLite in that folder. "
    r"\fBpostgresql://\fR\fIuser\fR\fB@\fR\fIhost\fR[\fB:\fR\fIport\fR]\fB/\fR\fIdb\fR: "
    r"a PostgreSQL server, for teams, with the artifacts in \fBSHIPML_ARTIFACT_ROOT\fR. "
    r"The \fB\-\-store\fR option of the \fBruns\fR and \fBregistry\fR commands overrides it.",
    ".TP", r"\fBSHIPML_EXPERIMENT\fR",
    r"The experiment runs are filed under (default: \fBdefault\fR). The "
    r"\fB\-\-experiment\fR option of a command overrides it.",
    ".TP", r"\fBSHIPML_ARTIFACT_ROOT\fR",
    "With a PostgreSQL store, the shared folder that holds the artifact files, such as "
    r"the model file a training run saved (default: \fB./runs/artifacts\fR).",
]


def header(path, date, version):
    return [r'.\" Generated by scripts/make-manpages.py from the output of shipml --help.',
            r'.\" Do not edit; run the script again instead.',
            f'.TH {name_esc(path).upper()} 1 "{esc(date)}" "{esc(version)}" "shipml Manual"',
            ".nh", ".ad l"]  # no hyphenation (of names such as SHIPML_EXPERIMENT), ragged right


def main_page(commands, date, version):
    top = commands[()]
    desc = re.sub(rf"^{PROG}:\s*", "", " ".join(top.description)) or "machine learning"
    out = header((), date, version)
    out += [".SH NAME", f"{PROG} \\- {esc(desc)}"]
    out += [".SH SYNOPSIS", synopsis(top.usage, ())]
    out += [".SH DESCRIPTION", bold(PROG) + r" \- " + sentence(desc), ".PP",
            "Each command has its own manual page, listed below; "
            r"\fBshipml\fR \fIcommand\fR \fB\-\-help\fR prints the same options."]
    out += free_text([""] + top.footer)
    out += [".SH COMMANDS"]  # every command, nested ones too, in the order of the help
    for path, h in commands.items():
        if path:
            out += [".TP", bold(" ".join(path)), sentence(" ".join(h.description)), ".br",
                    "See " + ref(path) + "."]
    out += [".SH OPTIONS"] + [line for e in top.options for line in entry_item(e)]
    out += [".SH EXIT STATUS"] + EXIT_STATUS
    out += [".SH ENVIRONMENT"] + ENVIRONMENT
    out += [".SH SEE ALSO", ",\n".join(ref(p) for p in commands if p)]
    return out


def command_page(path, commands, date, version):
    h = commands[path]
    summary = h.description[0] if h.description else ""
    out = header(path, date, version)
    out += [".SH NAME", name_esc(path) + r" \- " + esc(summary)]
    out += [".SH SYNOPSIS", synopsis(h.usage, path)]
    # the description, then CLI11's footer (for plot: the chart kinds)
    description = h.description[:-1] + [period(h.description[-1])] if h.description else []
    out += [".SH DESCRIPTION"] + free_text(description + [""] + h.footer)
    if h.positionals:
        out += [".SH ARGUMENTS"] + [line for e in h.positionals for line in entry_item(e)]
    if h.subcommands:
        out += [".SH COMMANDS"]
        for sub in h.subcommands:
            out += [".TP", bold(sub.name), sentence(sub.help), ".br",
                    "See " + ref(path + (sub.name,)) + "."]
    if h.options:
        out += [".SH OPTIONS"] + [line for e in h.options for line in entry_item(e)]
    see = [path[:i] for i in range(len(path))]  # shipml(1), then the parent commands
    see += [path + (s.name,) for s in h.subcommands if path + (s.name,) in commands]
    out += [".SH SEE ALSO", ",\n".join(ref(p) for p in see)]
    return out


def write_atomically(path, content):
    """Write to a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".",
                               prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def commit_date():
    """YYYY-MM-DD of the newest commit of the repository this script is in, or ''."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        p = subprocess.run(["git", "-C", here, "log", "-1", "--date=short", "--format=%cd"],
                           capture_output=True, text=True, timeout=30)
        return p.stdout.strip() if p.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary", metavar="SHIPML_BINARY")
    ap.add_argument("out_dir", metavar="OUT_DIR")
    ap.add_argument("--date", help="the date in the pages' .TH line (default: the date of "
                    "the newest git commit, else none)")
    args = ap.parse_args()
    date = args.date if args.date is not None else commit_date()
    version = run(args.binary, ["--version"]).strip().splitlines()
    version = version[0] if version else ""
    if version and not version.startswith(PROG):
        version = f"{PROG} {version}"
    commands = load_commands(args.binary)

    os.makedirs(args.out_dir, exist_ok=True)
    for path in commands:
        roff = main_page(commands, date, version) if not path else command_page(
            path, commands, date, version)
        target = os.path.join(args.out_dir, page_name(path) + ".1")
        write_atomically(target, "\n".join(roff) + "\n")
        print(target)


if __name__ == "__main__":
    main()
