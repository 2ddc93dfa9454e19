"""Public suggestion forms, with their anti-spam rules.

Each refusal says why in plain French: a person who tripped a rule by mistake
can fix their message; a robot learns nothing it could not guess.
"""

import re

from django import forms
from django.conf import settings

from communs.text import clean_text
from initiatives.models import Initiative

LINK_PATTERN = re.compile(r"https?://|www\.", re.IGNORECASE)


def setting(name, default):
    return getattr(settings, name, default)


class SuggestionFormBase(forms.Form):
    # Honeypot: hidden from people (CSS and aria-hidden), filled by naive robots.
    nickname = forms.CharField(label="Ne pas remplir ce champ", required=False)
    submitter_name = forms.CharField(
        label="Votre nom (facultatif)",
        max_length=200,
        required=False,
        help_text="Visible seulement par l'équipe éditoriale.",
    )
    submitter_email = forms.EmailField(
        label="Votre adresse électronique (facultatif)",
        required=False,
        help_text="Pour vous recontacter si besoin ; jamais publiée. Format attendu : nom@domaine.fr",
    )

    free_text_fields = ("name", "acronym", "summary", "message")

    def clean_message(self):
        message = self.cleaned_data.get("message", "")
        limit = setting("CURATION_SUGGESTION_MAX_MESSAGE", 5000)
        if len(message) > limit:
            raise forms.ValidationError(
                f"Votre message est trop long ({len(message)} caractères ; {limit} au plus).", code="too_long"
            )
        return message

    def clean_nickname(self):
        if self.cleaned_data.get("nickname"):
            raise forms.ValidationError(
                "Envoi refusé : un champ caché, réservé à la détection des robots, a été rempli.",
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
                self.add_error(name, forms.ValidationError("Ce champ tient sur une ligne.", code="one_line"))
                continue
            cleaned[name] = value
        text = " ".join(str(cleaned.get(f) or self.data.get(f) or "") for f in self.free_text_fields)
        max_links = setting("CURATION_SUGGESTION_MAX_LINKS", 3)
        links = len(LINK_PATTERN.findall(text))
        if links > max_links:
            raise forms.ValidationError(
                f"Votre message contient trop de liens ({links} ; {max_links} au plus). "
                "Indiquez le site et le dépôt dans leurs champs, et retirez les autres liens.",
                code="too_many_links",
            )
        return cleaned


class ProposeForm(SuggestionFormBase):
    name = forms.CharField(label="Nom du commun ou de l'initiative", max_length=200)
    acronym = forms.CharField(label="Sigle (facultatif)", max_length=50, required=False)
    kind_of_initiative = forms.ChoiceField(label="Type", choices=[("", "Choisir un type"), *Initiative.Kind.choices])
    summary = forms.CharField(
        label="Résumé en une phrase",
        max_length=200,
        required=False,
        help_text="200 caractères au plus.",
    )
    website = forms.URLField(
        assume_scheme="https", label="Site web (facultatif)", required=False, help_text="Format attendu : https://…"
    )
    repository_url = forms.URLField(
        assume_scheme="https",
        label="Dépôt de code ou de données (facultatif)",
        required=False,
        help_text="Format attendu : https://…",
    )
    message = forms.CharField(
        label="Description, qui le porte, comment y participer (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    confirm_not_duplicate = forms.BooleanField(
        label="Ma proposition est différente des initiatives ci-dessus",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and not any(cleaned.get(f) for f in ("summary", "message", "website", "repository_url")):
            raise forms.ValidationError(
                "Votre proposition est presque vide : ajoutez au moins un résumé, une description ou un lien.",
                code="empty",
            )
        return cleaned


class CorrectionForm(SuggestionFormBase):
    message = forms.CharField(
        label="Ce qui est inexact ou manquant",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Précisez la source de l'information si possible.",
    )
    name = forms.CharField(label="Nom corrigé (facultatif)", max_length=200, required=False)
    summary = forms.CharField(label="Résumé corrigé (facultatif)", max_length=200, required=False)
    website = forms.URLField(
        assume_scheme="https",
        label="Site web corrigé (facultatif)",
        required=False,
        help_text="Format attendu : https://…",
    )
    repository_url = forms.URLField(
        assume_scheme="https",
        label="Dépôt corrigé (facultatif)",
        required=False,
        help_text="Format attendu : https://…",
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(
            (cleaned.get(f) or "").strip() for f in ("message", "name", "summary", "website", "repository_url")
        ):
            raise forms.ValidationError(
                "Votre signalement est vide : décrivez la correction ou remplissez au moins un champ.",
                code="empty",
            )
        return cleaned
