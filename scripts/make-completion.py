#!/usr/bin/python3
"""Write a bash completion script for shipml, generated from the CLI's own --help output.

    scripts/make-completion.py SHIPML_BINARY OUT_FILE

The script completes commands (and nested ones such as `runs list`), each command's
options, file and folder names where an option or argument takes one, and the values of
options that have a known set: CLI11 choices, "a, b or c" in a help text, estimator,
transformer and metric names (listed by `shipml estimators`, `shipml transformers` and
`shipml metrics` now), and the chart kinds `shipml plot --help` lists. Everything is
collected at generation time: the script never runs shipml while completing.

Use it with `source OUT_FILE`, or install it as
/usr/share/bash-completion/completions/shipml. Standard library only.
"""

import argparse
import importlib.util
import os
import re
import shlex
import sys

# The CLI11 help parser lives in make-manpages.py (a file name Python cannot `import`).
sys.dont_write_bytecode = True  # leave no __pycache__ in scripts/
_spec = importlib.util.spec_from_file_location(
    "make_manpages", os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-manpages.py"))
manpages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(manpages)

# Options whose value is a path, though the help does not say FILE (the --help check only
# marks files that must exist already): inputs and outputs alike.
FILE_OPTIONS = {"--data", "--model", "--out", "--pipeline", "--report", "--refit",
                "--token-file"}
DIR_OPTIONS = {"--store"}  # a folder (or a postgresql:// URI)
FILE_POSITIONALS = {"model", "file"}

# "classification or regression (default: ...)", "kbest: f_test, chi2 or mutual_info",
# "none, staging, production or archived": a help text that starts (after an optional
# "mode: " prefix) with a list of plain words, and ends or goes on with "(", ";" or ".".
CHOICES_IN_HELP = re.compile(r"^(?:[\w ,]+: )?((?:\w+, )*\w+,? or \w+)(?=$| \(|;|\.)")


def listed_names(binary, command):
    """First column of `shipml estimators` (or transformers, metrics): the names."""
    out = manpages.run(binary, [command])
    return [m.group(1) for m in (re.match(r"^([a-z][a-z0-9_]*)\s", l) for l in out.splitlines())
            if m]


def value_completion(entry, help_):
    """How to complete the value of an option or positional: a bash command, or None."""
    long_name = max(entry.names, key=len)
    positional = not entry.is_option
    first_word = entry.help.split(" ", 1)[0] if entry.help else ""
    if entry.choices:
        return words(entry.choices)
    if long_name == "--estimator" or positional and first_word == "estimator":
        return "_shipml_words \"$_shipml_estimators\""
    if long_name == "--step" or positional and first_word == "transformer":
        return "_shipml_words \"$_shipml_transformers\""
    if long_name == "--metric" or entry.is_option and first_word == "metric":
        return "_shipml_words \"$_shipml_metrics\""
    if positional and "(list below)" in entry.help:  # the footer lists the values
        return words(manpages.footer_items(help_.footer))
    m = CHOICES_IN_HELP.match(entry.help)
    if m:
        return words(re.split(r",? or |, ", m.group(1)))
    if "DIR" in entry.checks or long_name in DIR_OPTIONS or re.search(r"\bfolder\b", entry.help):
        return "_shipml_dirs"
    if {"FILE", "PATH(existing)"} & set(entry.checks) or long_name in FILE_OPTIONS or (
            positional and long_name in FILE_POSITIONALS):
        return "_shipml_files"
    return None


def words(values):
    return "_shipml_words " + sq(values)


def q(s):
    """A bash word: as is when safe, else single-quoted."""
    return s if re.fullmatch(r"[\w@%+=:,./-]+", s) else shlex.quote(s)


def sq(values):
    """Words as one single-quoted bash string."""
    return "'" + " ".join(values).replace("'", "'\\''") + "'"


def generate(binary):
    version = manpages.run(binary, ["--version"]).strip()
    commands = manpages.load_commands(binary)
    # names for -e/--estimator, --step and --metric, from the listing commands (if present)
    lists = {n: listed_names(binary, n) if (n,) in commands else []
             for n in ("estimators", "transformers", "metrics")}

    cmd_arms, value_arms = [], []
    for path, h in commands.items():
        key = q(" ".join(path))
        opts = [n for e in h.options for n in e.names]
        argopts = [n for e in h.options if e.takes_value for n in e.names]
        pos = h.positionals
        repeat_last = int(bool(pos) and pos[-1].repeat)  # e.g. `serve model...`
        cmd_arms += [f"        {key})",
                     f"            subs={sq([s.name for s in h.subcommands])}",
                     f"            opts={sq(opts)}",
                     f"            argopts={sq(argopts)}",
                     f"            npositionals={len(pos)} repeat_last={repeat_last} ;;"]
        # what to complete for each option value ('-e|--estimator') and positional ('#1')
        arms = []
        for e in h.options:
            action = e.takes_value and value_completion(e, h)
            if action:
                arms.append(("|".join(e.names), action))
        for i, e in enumerate(pos, 1):
            action = value_completion(e, h)
            if action:
                arms.append((f"'#{i}'", action))
        if arms:
            value_arms.append(f"        {key})")
            value_arms.append("            case $2 in")
            value_arms += [f"                {pattern}) {action} ;;" for pattern, action in arms]
            value_arms += ["                *) return 1 ;;", "            esac ;;"]

    return TEMPLATE.format(
        version=version,
        estimators=sq(lists["estimators"]),
        transformers=sq(lists["transformers"]),
        metrics=sq(lists["metrics"]),
        cmd_arms="\n".join(cmd_arms),
        value_arms="\n".join(value_arms))


TEMPLATE = r"""# bash completion for {version}
# Generated by scripts/make-completion.py from the output of shipml --help; do not edit,
# run the script again instead. Load it with `source` or install it as
# /usr/share/bash-completion/completions/shipml.

# Names listed by `shipml estimators`, `shipml transformers` and `shipml metrics`.
_shipml_estimators={estimators}
_shipml_transformers={transformers}
_shipml_metrics={metrics}

# _shipml_cmd CMD: what command CMD ('' for shipml itself, 'runs list', ...) takes:
# subcommands, options, options taking a value, and how many positionals (is the last
# repeatable?). Sets the caller's local variables.
_shipml_cmd() {{
    case $1 in
{cmd_arms}
        *) subs='' opts='' argopts='' npositionals=0 repeat_last=0 ;;
    esac
}}

# _shipml_value CMD OPTION: completes the value of OPTION (or of positional number N,
# given as '#N') of command CMD. Returns 1 when there is nothing particular to offer.
_shipml_value() {{
    case $1 in
{value_arms}
        *) return 1 ;;
    esac
}}

_shipml_words() {{
    local IFS=$' \t\n'
    COMPREPLY=($(compgen -W "$1" -- "$cur"))
}}

_shipml_files() {{
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$cur"))
}}

_shipml_dirs() {{
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY=($(compgen -d -- "$cur"))
}}

_shipml() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} cmd='' word opt='' i npos=0
    local subs opts argopts npositionals repeat_last
    COMPREPLY=()
    _shipml_cmd ''

    # Walk the words before the cursor: enter subcommands, skip the values of options,
    # count positionals. (With '=' in COMP_WORDBREAKS, --opt=value comes as 3 words.)
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        if [[ $word == -* ]]; then
            if [[ " $argopts " == *" $word "* ]]; then
                [[ ${{COMP_WORDS[i + 1]}} == = ]] && ((i += 1))
                ((i += 1))
            fi
        elif [[ -n $subs && " $subs " == *" $word "* ]]; then
            cmd=${{cmd:+$cmd }}$word
            _shipml_cmd "$cmd"
        else
            ((npos += 1))
        fi
    done

    # The option whose value is under the cursor, if any.
    if [[ $cur == = ]]; then
        opt=${{COMP_WORDS[COMP_CWORD - 1]}} cur=''
    elif [[ ${{COMP_WORDS[COMP_CWORD - 1]}} == = ]]; then
        opt=${{COMP_WORDS[COMP_CWORD - 2]}}
    elif ((COMP_CWORD > 1)); then
        opt=${{COMP_WORDS[COMP_CWORD - 1]}}
    fi
    if [[ $opt == -* && " $argopts " == *" $opt "* ]]; then
        _shipml_value "$cmd" "$opt"
        return 0
    fi

    if [[ $cur == -* ]]; then
        _shipml_words "$opts"
    elif [[ -n $subs ]]; then
        _shipml_words "$subs"
    else
        # a positional: the last one may take several words
        ((repeat_last && npos >= npositionals)) && npos=$((npositionals - 1))
        if ((npos >= npositionals)) || ! _shipml_value "$cmd" "#$((npos + 1))"; then
            _shipml_words "$opts"
        fi
    fi
    return 0
}}

complete -F _shipml shipml
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary", metavar="SHIPML_BINARY")
    ap.add_argument("out_file", metavar="OUT_FILE")
    args = ap.parse_args()
    script = generate(args.binary)
    os.makedirs(os.path.dirname(os.path.abspath(args.out_file)), exist_ok=True)
    manpages.write_atomically(args.out_file, script)
    print(args.out_file)


if __name__ == "__main__":
    main()
