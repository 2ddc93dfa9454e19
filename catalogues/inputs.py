"""What an import command reads: a file, every matching file of a folder, or an http(s) URL, and the
parsers that read them without letting a hostile file exhaust the server.

Downloads and local files go through one fetch policy (catalogues/fetch.py). JSON and YAML are read
with a bound on nesting (a 50,000-deep `[[[…]]]` is refused, not a RecursionError) and YAML aliases
are expanded only up to a bound (a "billion laughs" of a few hundred bytes is refused before anything
walks it).
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.core.management.base import CommandError
from yaml.nodes import MappingNode, SequenceNode

from catalogues.fetch import Fetch
from catalogues.importing import RowError

# Far deeper than any catalogue (publiccode.yml, the SILL, the DPG registry nest a handful of levels).
MAX_DEPTH = 64
# Nodes of a YAML document once its aliases are expanded: a large catalogue file has tens of thousands.
MAX_YAML_NODES = 1_000_000


def read_inputs(locations, suffixes, fetch=None):
    """[(name, bytes)] for each location: a file, a folder (its files ending with `suffixes`, sorted,
    recursively) or an http(s) URL. A location that cannot be read stops the command before anything
    is written (CommandError, or FetchRefused for what the fetch policy refuses)."""
    fetch = fetch or Fetch()
    found = []
    for location in locations:
        location = str(location)
        if "://" in location:
            # Any scheme but http(s) (file://, ftp://…) is refused by the fetch policy, by name.
            found.append((location, fetch.download(location)))
            continue
        path = Path(location)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(tuple(suffixes)))
            if not files:
                raise CommandError(f"{location} : aucun fichier {', '.join(suffixes)} dans ce dossier.")
            found.extend((str(p), fetch.read_file(p)) for p in files)
        elif path.is_file():
            found.append((str(path), fetch.read_file(path)))
        else:
            raise CommandError(f"{location} : ni un fichier, ni un dossier, ni une adresse http(s).")
    return found


def decode(name, content):
    """Text of a file: UTF-8 (with or without BOM); a file in another encoding is refused by name."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(f"{name} : le fichier n'est pas en UTF-8 (octet {error.start}).") from error


def _short(name):
    return Path(urlsplit(name).path if "://" in name else name).name or name


def _too_deep(name):
    return RowError(f"{_short(name)} : structure imbriquée sur plus de {MAX_DEPTH} niveaux, refusée.")


def load_json(name, text):
    """json.loads, refusing a document nested deeper than MAX_DEPTH; JSON errors are RowErrors."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise _too_deep(name) from None
    except ValueError as error:
        raise RowError(f"{_short(name)} : JSON illisible ({error})") from error
    # Checked after parsing (the C parser is fast and bounded): what reads the document next
    # (jsonschema, the importers) recurses in Python.
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(name)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return document


def compose_yaml(name, text):
    """The node tree of a YAML document (yaml.compose with the safe loader), nesting and alias
    expansion bounded; YAML errors are yaml.YAMLError as usual."""
    depth = 0
    # PyYAML's parser is a loop, its composer recursive: the depth is measured on the events first.
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(name)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None and expanded_size(name, root) > MAX_YAML_NODES:
        raise RowError(
            f"{_short(name)} : ses alias YAML (*) s'y déploient en plus d'un million d'éléments "
            "(« bombe » d'alias) ; fichier refusé."
        )
    return root


def expanded_size(name, root):
    """How many nodes the tree has once every alias is expanded, counted without expanding: a node
    shared by aliases is counted once and its (size, height) reused, so the count is linear in the
    written document. An alias placed deep may nest its anchor deeper still: that depth is bounded too."""
    known = {}

    def measure(node, depth):
        # depth: collections from the root to this node, itself included; height: collections
        # from this node down (a scalar has none).
        if not isinstance(node, (MappingNode, SequenceNode)):
            return 1, 0
        if id(node) in known:
            size, height = known[id(node)]
        else:
            if depth > MAX_DEPTH:
                raise _too_deep(name)
            children = [child for pair in node.value for child in pair] if isinstance(node, MappingNode) else node.value
            size, height = 1, 1
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size, height = size + child_size, max(height, child_height + 1)
            known[id(node)] = (size, height)
        if depth - 1 + height > MAX_DEPTH:
            raise _too_deep(name)
        return size, height

    return measure(root, 1)[0]


def load_yaml(name, text):
    """yaml.safe_load within the bounds of compose_yaml."""
    root = compose_yaml(name, text)
    if root is None:
        return None
    return yaml.SafeLoader("").construct_document(root)
