"""The admin for translated content (each app registers its texts in translation.py): each text's
English and French side by side on one row, a "French missing" filter, and a confirmation before
publishing what lacks French (its readers would see the English)."""

import copy

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from modeltranslation.utils import build_localized_fieldname, get_translation_fields

from core.translated import DEFAULT_LANGUAGE, missing_translation_q, object_languages, translated_fields

# The POST field that says staff saw what lacks French and publish anyway.
PUBLISH_WITHOUT_FRENCH = "publish_without_french"


class BilingualModelForm(forms.ModelForm):
    """A model's clean() names a translated field as the model has it (`target`); the form has
    its language versions instead, and the error goes on the English one (the one required)."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            translated = translated_fields(self._meta.model)
            renamed = {}
            for field, messages in errors.error_dict.items():
                english = build_localized_fieldname(field, DEFAULT_LANGUAGE)
                if field in translated and field not in self.fields:
                    field = english if english in self.fields else NON_FIELD_ERRORS
                renamed.setdefault(field, []).extend(messages)
            errors = ValidationError(renamed)
        super()._update_errors(errors)


class SideBySideMixin:
    """Puts each translated field's language versions on one row of the form (modeltranslation
    alone lists them one under the other, or behind tabs)."""

    def _originals(self) -> dict[str, str]:
        return {
            localized.name: original
            for original, localized_fields in self.trans_opts.all_fields.items()
            for localized in localized_fields
        }

    def side_by_side(self, fieldsets) -> list:
        """The fieldsets with every translated field, named as the model has it or by language,
        as one row of its languages; the other fields keep their rows and order."""
        originals = self._originals()
        result = []
        for name, options in fieldsets:
            rows: list = []
            for entry in options.get("fields", ()):
                run: list[str] = []
                for field in [entry] if isinstance(entry, str) else entry:
                    original = originals.get(field, field)
                    if original not in self.trans_opts.all_fields:
                        run.append(field)
                        continue
                    if run:
                        rows.append(run[0] if len(run) == 1 else tuple(run))
                        run = []
                    pair = tuple(get_translation_fields(original))
                    if pair not in rows:
                        rows.append(pair)
                if run:
                    rows.append(run[0] if len(run) == 1 else tuple(run))
            result.append((name, {**options, "fields": rows}))
        return result

    def _get_declared_fieldsets(self, request, obj=None):
        """modeltranslation's, without writing `fields` on the admin (a system check run after a
        request would then see both `fields` and `fieldsets`) or into the declared fieldsets."""
        if self.fieldsets:
            return self._patch_fieldsets(copy.deepcopy(self.fieldsets))
        if type(self).get_fields is not BaseModelAdmin.get_fields:
            return [(None, {"fields": self.replace_orig_field(self.get_fields(request, obj))})]
        fields = self.fields or getattr(getattr(self.form, "_meta", None), "fields", None)
        return [(None, {"fields": self.replace_orig_field(list(fields))})] if fields else None

    def get_fieldsets(self, request, obj=None):
        return self.side_by_side(super().get_fieldsets(request, obj))


class BilingualAdmin(SideBySideMixin, TranslationAdmin):
    form = BilingualModelForm


class BilingualStackedInline(SideBySideMixin, TranslationStackedInline):
    form = BilingualModelForm


class BilingualTabularInline(TranslationTabularInline):
    """A table has one column per language already."""

    form = BilingualModelForm


class FrenchMissingFilter(admin.SimpleListFilter):
    """Rows with a text written in English and not yet in French."""

    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [("fr-missing", _("French missing")), ("fr-complete", _("French complete"))]

    def queryset(self, request, queryset):
        missing = missing_translation_q(queryset.model, "fr")
        if self.value() == "fr-missing":
            return queryset.filter(missing)
        if self.value() == "fr-complete":
            return queryset.exclude(missing)
        return queryset


def lacking_french(objects) -> list:
    """Those of `objects` that have a text in English and not in French."""
    return [obj for obj in objects if "fr" not in object_languages(obj)]


def confirm_publish_without_french(request, model_admin, *, lacking: list, form_fields: dict, back_url: str):
    """The page that asks staff to confirm publishing `lacking` (objects without French): it posts
    `form_fields` again to the same address, with PUBLISH_WITHOUT_FRENCH."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Publish without French?"),
        "opts": model_admin.model._meta,
        "lacking": [(obj._meta.verbose_name, str(obj)) for obj in lacking],
        "back_url": back_url,
        "form_fields": form_fields,
        "confirm_field": PUBLISH_WITHOUT_FRENCH,
    }
    return TemplateResponse(request, "admin/publish_without_french.html", context)
