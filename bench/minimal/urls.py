from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from .models import OutboxEmail, Signature


class SignatureForm(forms.ModelForm):
    website = forms.CharField(required=False)  # the honeypot, as Rally's form has

    class Meta:
        model = Signature
        fields = ["first_name", "last_name", "email", "country", "postal_code", "opt_in"]


def sign(request, slug):
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signature = form.save(commit=False)
        signature.action = slug
        try:
            with transaction.atomic():
                signature.save()
                OutboxEmail.objects.create(
                    key=f"confirm:{signature.pk}",
                    to_email=signature.email,
                    subject="Confirm your signature",
                    body=f"Hello {signature.first_name}, confirm your signature.",
                )
        except IntegrityError:
            pass  # signed before: the same page, as Rally's
        return HttpResponse("<p>Thank you: check your inbox to confirm your signature.</p>")
    return render(request, "minimal/sign.html", {"form": form})


urlpatterns = [path("act/<slug:slug>/", sign), path("healthz", lambda request: HttpResponse("ok"))]
