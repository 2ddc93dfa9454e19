"""`{% france_map %}`: the map of France with its tables, for the home page, whose view (in the
ground-floor app `communs`) does not import the other apps."""

from django import template

from territories.maps import france_map as build_map

register = template.Library()


@register.inclusion_tag("territories/_france_map.html")
def france_map(heading_level=2):
    return {"map": build_map(), "heading_level": heading_level}
