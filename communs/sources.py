"""Citations: an entry's `sources` items, completed with what their Source record says."""

from communs.models import Source


def source_catalogue(keys=None) -> dict:
    """The Source records by key (those of `keys`, or all), in one query."""
    queryset = Source.objects.all() if keys is None else Source.objects.filter(key__in=set(keys))
    return {source.key: source for source in queryset}


def cited_keys(items) -> set:
    return {item["source"] for item in items or () if isinstance(item, dict) and item.get("source")}


def cite(items, catalogue) -> list:
    """Each citation of a Source record gains its title, publisher, date, licence and link.

    The item's own `url` (a page of the source) wins over the record's address, which stays in
    `source_url`; a citation of an unknown key or a free "document" passes through as stored.
    """
    cited = []
    for item in items or ():
        source = catalogue.get(item.get("source")) if isinstance(item, dict) else None
        if source is None:
            cited.append(item)
            continue
        citation = source.citation()
        cited.append({**item, **citation, "url": item.get("url") or citation["source_url"]})
    return cited
