"""The shape of a v0 publiccode.yml (every version up to 0.7), and its decoding from YAML nodes.

Decoding mirrors what the reference parser's YAML decoder accepts: a text field takes any scalar
as written (``0.4`` is the text "0.4"), a boolean only an unquoted YAML boolean, a list only a
sequence. Wrong types and unknown keys become errors named by the key found at the line where the
offending value starts, like the parser's. As in the parser, a wrong type inside a description
language drops that language, and one inside a top-level section empties that section (so its
required keys are then reported missing too).
"""

from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .loader import is_null, key_at_line, position

STR, BOOL = "str", "bool"
STR_OR_LIST = "str_or_list"  # isBasedOn: one URL or a list of URLs


@dataclass(frozen=True)
class List:
    item: object


@dataclass(frozen=True)
class Struct:
    fields: dict


@dataclass(frozen=True)
class Map:
    value: object


DESCRIPTION = Struct(
    {
        "localisedName": STR,
        "genericName": STR,
        "shortDescription": STR,
        "longDescription": STR,
        "documentation": STR,
        "apiDocumentation": STR,
        "features": List(STR),
        "screenshots": List(STR),
        "videos": List(STR),
        "awards": List(STR),
    }
)
ORGANISATION = Struct({"name": STR, "uri": STR})
DEPENDENCY = Struct({"name": STR, "versionMin": STR, "versionMax": STR, "optional": BOOL, "version": STR})
IT_SECTION = Struct(
    {
        "countryExtensionVersion": STR,
        "conforme": Struct(
            {"lineeGuidaDesign": BOOL, "modelloInteroperabilita": BOOL, "misureMinimeSicurezza": BOOL, "gdpr": BOOL}
        ),
        "riuso": Struct({"codiceIPA": STR}),
        "piattaforme": Struct({"spid": BOOL, "pagopa": BOOL, "cie": BOOL, "anpr": BOOL, "io": BOOL}),
    }
)

PUBLICCODE_V0 = Struct(
    {
        "publiccodeYmlVersion": STR,
        "name": STR,
        "applicationSuite": STR,
        "url": STR,
        "landingURL": STR,
        "isBasedOn": STR_OR_LIST,
        "softwareVersion": STR,
        "releaseDate": STR,
        "logo": STR,
        "monochromeLogo": STR,
        "organisation": ORGANISATION,
        "inputTypes": List(STR),
        "outputTypes": List(STR),
        "platforms": List(STR),
        "categories": List(STR),
        "usedBy": List(STR),
        "fundedBy": List(ORGANISATION),
        "roadmap": STR,
        "developmentStatus": STR,
        "softwareType": STR,
        "intendedAudience": Struct({"scope": List(STR), "countries": List(STR), "unsupportedCountries": List(STR)}),
        "description": Map(DESCRIPTION),
        "legal": Struct({"license": STR, "mainCopyrightOwner": STR, "repoOwner": STR, "authorsFile": STR}),
        "maintenance": Struct(
            {
                "type": STR,
                "contractors": List(Struct({"name": STR, "email": STR, "website": STR, "until": STR})),
                "contacts": List(Struct({"name": STR, "email": STR, "affiliation": STR, "phone": STR})),
            }
        ),
        "localisation": Struct({"localisationReady": BOOL, "availableLanguages": List(STR)}),
        "dependsOn": Struct({"open": List(DEPENDENCY), "proprietary": List(DEPENDENCY), "hardware": List(DEPENDENCY)}),
        "IT": IT_SECTION,
        "it": IT_SECTION,
    }
)

# Keys v1 drops (the experimental v1 parser refuses them as unknown).
V1_REMOVED = {"inputTypes", "outputTypes", "monochromeLogo", "IT", "it"}
V1_REMOVED_NESTED = {"genericName", "authorsFile", "repoOwner"}


@dataclass
class Decoder:
    root: MappingNode
    errors: list = field(default_factory=list)  # (key, message, line, column)
    v1: bool = False

    def _type_error(self, node: Node) -> None:
        line = position(node)[0]
        self.errors.append((key_at_line(self.root, line), "wrong type for this field", line, 1))

    def _unknown(self, key_node: Node) -> None:
        line = position(key_node)[0]
        key = key_at_line(self.root, line) or key_node.value
        self.errors.append((key, f'unknown field "{key_node.value}"', line, 1))

    def decode(self, node: Node | None, spec) -> tuple[object, bool]:
        """(value, ok): None for a null or absent value; ok is False after a type error inside."""
        if is_null(node):
            return None, True
        if spec == STR:
            if isinstance(node, ScalarNode):
                return node.value, True
            self._type_error(node)
            return None, False
        if spec == BOOL:
            if isinstance(node, ScalarNode) and node.tag.endswith(":bool"):
                return node.value.lower() in ("true", "yes", "on", "y"), True
            self._type_error(node)
            return None, False
        if spec == STR_OR_LIST:
            if isinstance(node, ScalarNode):
                return [node.value], True
            return self.decode(node, List(STR))
        if isinstance(spec, List):
            if not isinstance(node, SequenceNode):
                self._type_error(node)
                return None, False
            values, ok = [], True
            for item in node.value:
                value, item_ok = self.decode(item, spec.item)
                values.append(value)
                ok = ok and item_ok
            return values, ok
        if isinstance(spec, Map):
            if not isinstance(node, MappingNode):
                self._type_error(node)
                return None, False
            values = {}
            for key_node, value_node in node.value:
                value, ok = self.decode(value_node, spec.value)
                if ok:  # the parser's decoder leaves out an entry that failed
                    values[str(key_node.value)] = value if value is not None else {}
            return values, True
        if isinstance(spec, Struct):
            if not isinstance(node, MappingNode):
                self._type_error(node)
                return None, False
            values, ok = {}, True
            for key_node, value_node in node.value:
                name = str(key_node.value)
                removed = self.v1 and (
                    (node is self.root and name in V1_REMOVED) or (node is not self.root and name in V1_REMOVED_NESTED)
                )
                if name not in spec.fields or removed:
                    self._unknown(key_node)
                    continue
                value, field_ok = self.decode(value_node, spec.fields[name])
                if value is not None:
                    values[name] = value
                if not field_ok:
                    if node is self.root:
                        # A broken top-level section is emptied, as the parser's decoder does.
                        # (legal, maintenance and localisation are then read as empty.)
                        values.pop(name, None)
                    else:
                        ok = False
            return values, ok
        raise AssertionError(spec)


def decode(root: MappingNode, v1: bool = False) -> tuple[dict, list]:
    decoder = Decoder(root, v1=v1)
    values, _ = decoder.decode(root, PUBLICCODE_V0)
    return values or {}, decoder.errors
