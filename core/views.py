"""Views that know no app: the CSRF failure page and the favicon."""

from django.shortcuts import redirect, render
from django.templatetags.static import static


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; point them at the real one.
    return redirect(static("favicon.svg"), permanent=True)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
