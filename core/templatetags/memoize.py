"""{% memoize LANGUAGE_CODE user.is_authenticated %}…{% endmemoize %}: the enclosed template is
rendered once per process for each combination of the values named, then reused.

Only for parts of a page that depend on nothing but those values and what is fixed while a process
runs: URLs, static files, translated text. The page's chrome (head links, navigation, footer) is
all of that, and rendering it cost every page more than its own content once that is cached. A
value must be short text, a boolean or None (a language code, a yes/no), so that the memo stays
small and nothing a visitor sends or owns can become a key or get into the memo.
"""

from django import template
from django.template.loader_tags import BlockNode

from core.reversing import at_site_root

register = template.Library()

MAX_KEY_TEXT = 16


class MemoizeNode(template.Node):
    # It holds no {% block %} (checked when compiled), so a page extending the template need not
    # look inside for one: {% extends %} walks the parent's nodes on every render.
    child_nodelists = ()

    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        # The cached template loader keeps this node for the life of the process.
        self.memo: dict[tuple, str] = {}

    def render(self, context):
        key = tuple(value.resolve(context) for value in self.values)
        for part in key:
            if not (part is None or isinstance(part, bool) or (isinstance(part, str) and len(part) <= MAX_KEY_TEXT)):
                raise template.TemplateSyntaxError(f"memoize: {part!r} is not a short text, a boolean or None")
        if not at_site_root():
            # Its links would carry another prefix: rendered for this request alone.
            return self.nodelist.render(context)
        try:
            return self.memo[key]
        except KeyError:
            html = self.memo[key] = self.nodelist.render(context)
            return html


@register.tag
def memoize(parser, token):
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemoize",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        # A page extending the template may override the block: its output is not the same.
        raise template.TemplateSyntaxError("memoize cannot hold a {% block %}")
    return MemoizeNode(nodelist, values)
