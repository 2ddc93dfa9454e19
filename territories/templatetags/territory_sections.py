"""`{% territory_section section %}`: one section of a territory's page (territories/sections.py),
its template rendered with the page's context and the section's own."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def territory_section(context, section):
    section_template = context.template.engine.get_template(section["template"])
    with context.push(section.get("context", {})):
        return section_template.render(context)
