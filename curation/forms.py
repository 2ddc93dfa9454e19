"""Public suggestion forms, with their anti-spam rules.

Each refusal says why in plain French: a person who tripped a rule by mistake
can fix their message; a robot learns nothing it could not guess.
"""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communs.text import clean_text
from initiatives.models import Initiative

LINK_PATTERN = re.compile(r"https?://|www\.", re.IGNORECASE)


def setting(name, default):
    return getattr(settings, name, default)


class SuggestionFormBase(forms.Form):
    # Honeypot: hidden from people (CSS and aria-hidden), filled by naive robots.
    nickname = forms.CharField(label=_("Ne pas remplir ce champ"), required=False)
    submitter_name = forms.CharField(
        label=_("Votre nom (facultatif)"),
        max_length=200,
        required=False,
        help_text=_("Visible seulement par l'équipe éditoriale."),
    )
    submitter_email = forms.EmailField(
        label=_("Votre adresse électronique (facultatif)"),
        required=False,
        help_text=_("Pour vous recontacter si besoin ; jamais publiée. Format attendu : nom@domaine.fr"),
    )

    free_text_fields = ("name", "acronym", "summary", "message")

    def clean_message(self):
        message = self.cleaned_data.get("message", "")
        limit = setting("CURATION_SUGGESTION_MAX_MESSAGE", 5000)
        if len(message) > limit:
            raise forms.ValidationError(
                gettext("Votre message est trop long (%(length)s caractères ; %(limit)s au plus).")
                % {"length": len(message), "limit": limit},
                code="too_long",
            )
        return message

    def clean_nickname(self):
        if self.cleaned_data.get("nickname"):
            raise forms.ValidationError(
                _("Envoi refusé : un champ caché, réservé à la détection des robots, a été rempli."),
                code="honeypot",
            )
        return ""

    def clean(self):
        cleaned = super().clean()
        # Control characters are dropped, and a line break in a one-line field (only a crafted request
        # sends one) is refused, as everywhere text comes in (communs/text.py).
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if not isinstance(value, str):
                continue
            value = clean_text(value)
            if "\n" in value and not isinstance(field.widget, forms.Textarea):
                self.add_error(name, forms.ValidationError(_("Ce champ tient sur une ligne."), code="one_line"))
                continue
            cleaned[name] = value
        text = " ".join(str(cleaned.get(f) or self.data.get(f) or "") for f in self.free_text_fields)
        max_links = setting("CURATION_SUGGESTION_MAX_LINKS", 3)
        links = len(LINK_PATTERN.findall(text))
        if links > max_links:
            raise forms.ValidationError(
                gettext(
                    "Votre message contient trop de liens (%(links)s ; %(max_links)s au plus). "
                    "Indiquez le site et le dépôt dans leurs champs, et retirez les autres liens."
                )
                % {"links": links, "max_links": max_links},
                code="too_many_links",
            )
        return cleaned


class ProposeForm(SuggestionFormBase):
    name = forms.CharField(label=_("Nom du commun ou de l'initiative"), max_length=200)
    acronym = forms.CharField(label=_("Sigle (facultatif)"), max_length=50, required=False)
    kind_of_initiative = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Choisir un type")), *Initiative.Kind.choices]
    )
    summary = forms.CharField(
        label=_("Résumé en une phrase"),
        max_length=200,
        required=False,
        help_text=_("200 caractères au plus."),
    )
    website = forms.URLField(
        assume_scheme="https",
        label=_("Site web (facultatif)"),
        required=False,
        help_text=_("Format attendu : https://…"),
    )
    repository_url = forms.URLField(
        assume_scheme="https",
        label=_("Dépôt de code ou de données (facultatif)"),
        required=False,
        help_text=_("Format attendu : https://…"),
    )
    message = forms.CharField(
        label=_("Description, qui le porte, comment y participer (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("Ma proposition est différente des initiatives ci-dessus"),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and not any(cleaned.get(f) for f in ("summary", "message", "website", "repository_url")):
            raise forms.ValidationError(
                _("Votre proposition est presque vide : ajoutez au moins un résumé, une description ou un lien."),
                code="empty",
            )
        return cleaned


class CorrectionForm(SuggestionFormBase):
    message = forms.CharField(
        label=_("Ce qui est inexact ou manquant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Précisez la source de l'information si possible."),
    )
    name = forms.CharField(label=_("Nom corrigé (facultatif)"), max_length=200, required=False)
    summary = forms.CharField(label=_("Résumé corrigé (facultatif)"), max_length=200, required=False)
    website = forms.URLField(
        assume_scheme="https",
        label=_("Site web corrigé (facultatif)"),
        required=False,
        help_text=_("Format attendu : https://…"),
    )
    repository_url = forms.URLField(
        assume_scheme="https",
        label=_("Dépôt corrigé (facultatif)"),
        required=False,
        help_text=_("Format attendu : https://…"),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(
            (cleaned.get(f) or "").strip() for f in ("message", "name", "summary", "website", "repository_url")
        ):
            raise forms.ValidationError(
                _("Votre signalement est vide : décrivez la correction ou remplissez au moins un champ."),
                code="empty",
            )
        return cleaned
