"""Form fields any app's forms may use."""

from django import forms


def plain_line_breaks(text: str) -> str:
    """The text with each line break a plain newline, as Rally stores text (browsers send a
    textarea's as CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class PlainLineBreaksField(forms.CharField):
    """A textarea's text with plain newlines: its length is what the person sees, and a text sent
    back unchanged compares as unchanged (Django compares what the browser sent as it is)."""

    def to_python(self, value):
        return plain_line_breaks(super().to_python(value))
