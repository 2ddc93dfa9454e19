"""parse(): the verdict of the reference parser (italia/publiccode-parser-go) on a publiccode.yml."""

from dataclasses import dataclass, field

from . import loader, schema, vocab
from .fields import check_fields
from .validate import Checker

V1_VERSIONS = ("1", "1.0", "1.0.0")


@dataclass(frozen=True)
class Issue:
    key: str  # dotted path as the parser writes it: "maintenance.contacts[0].email"; "" for the whole file
    message: str
    line: int = 0  # 1-based; 0 when the issue has no position
    column: int = 0


@dataclass
class Result:
    data: dict | None = None
    version: str = ""
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def parse(content: bytes | str, *, experimental_v1: bool = False) -> Result:
    """Parse and validate a publiccode.yml; never raises on bad input.

    ``experimental_v1`` also accepts ``publiccodeYmlVersion: "1"`` (the draft the reference parser
    tests separately), refusing the keys v1 drops.
    """
    result = Result()
    try:
        root = loader.compose(content)
    except loader.LoadError as exc:
        result.errors.append(Issue("", exc.message, exc.line, exc.column))
        return result
    result.data = loader.to_python(root)

    _, version_node = loader.get(root, "publiccodeYmlVersion")
    if loader.is_null(version_node):
        result.errors.append(Issue("publiccodeYmlVersion", "publiccodeYmlVersion is a required field"))
        return result
    # The version is read as written: an unquoted 0.4 is the text "0.4", not a number.
    version = version_node.value if isinstance(version_node, loader.ScalarNode) else ""
    result.version = version
    result.data["publiccodeYmlVersion"] = version
    v1 = experimental_v1 and version in V1_VERSIONS
    if version not in vocab.SUPPORTED_VERSIONS and not v1:
        supported = ", ".join(vocab.SUPPORTED_VERSIONS)
        message = f"unsupported version: '{version}'. Supported versions: {supported}"
        result.errors.append(Issue("publiccodeYmlVersion", message))
        return result

    def at(key, message, kind):
        line, column = loader.position_of(root, key)
        kind.append(Issue(key, message, line, column))

    if not v1 and version != vocab.RECOMMENDED_VERSION:
        message = (
            f"v{version} is not the latest version, use '{vocab.RECOMMENDED_VERSION}'. "
            f"Parsing this file as v{vocab.LATEST_VERSION}."
        )
        at("publiccodeYmlVersion", message, result.warnings)

    decoded, type_errors = schema.decode(root, v1=v1)
    result.errors.extend(Issue(*error) for error in type_errors)
    checker = Checker(decoded, v1=v1)
    checker.struct()
    check_fields(checker)
    for key, message in checker.errors:
        at(key, message, result.errors)
    for key, message in checker.warnings:
        at(key, message, result.warnings)
    return result
