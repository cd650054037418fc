"""``{% section "code" %}…{% endsection %}`` for notice templates.

The tag renders its content unchanged and records in a set the caller put in the context which
sections came out non-empty, so :func:`notices.rendering.render_notice` can refuse
a Notice of Action that lacks a required part (the template lost it, or the value
that fills it was not given).
"""
from django import template

register = template.Library()

RENDERED_KEY = "_notice_sections_rendered"


class SectionNode(template.Node):
    def __init__(self, code: str, nodelist):
        self.code = code
        self.nodelist = nodelist

    def render(self, context) -> str:
        output = self.nodelist.render(context)
        rendered = context.get(RENDERED_KEY)
        if output.strip() and rendered is not None:
            rendered.add(self.code)
        return output


@register.tag("section")
def do_section(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% section "code" %}…{% endsection %}.')
    nodelist = parser.parse(("endsection",))
    parser.delete_first_token()
    return SectionNode(bits[1][1:-1], nodelist)
