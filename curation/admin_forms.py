"""The forms of the curated models' admin: the lost-update guard, duplicate warnings, and the
small forms of the bulk actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from communs.validators import validate_tag_name
from curation import services
from curation.duplicates import find_duplicates

DUPLICATE_FIELDS = ["name", "acronym", "aliases", "website", "repository_url"]


class CuratedForm(forms.ModelForm):
    # The version the editor started from; compared with the database on save.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(
        label="Ce n'est pas un doublon : enregistrer quand même",
        required=False,
        help_text="À cocher seulement après avoir vérifié les fiches proches signalées.",
    )
    check_duplicates = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        if not self.check_duplicates:
            self.fields["confirm_not_duplicate"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        for name in cleaned.get("tags") or ():
            try:
                validate_tag_name(name)
            except ValidationError as error:
                self.add_error("tags", error)
        if self.instance.pk:
            self._check_version(cleaned.get("loaded_version"))
        if self.check_duplicates and not cleaned.get("confirm_not_duplicate"):
            self._check_duplicates(cleaned)
        return cleaned

    def _check_version(self, loaded):
        if loaded is None:
            return
        model = type(self.instance)
        rows = model._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            # Lock the row until this save commits: a concurrent save waits here,
            # then sees the new version and is refused (PostgreSQL).
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        if current is None or current == loaded:
            return
        who, when, lines = services.describe_conflict(self.instance, loaded)
        changes = (
            format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))
            if lines
            else ""
        )
        raise ValidationError(
            format_html(
                "Cette fiche a été modifiée par {} le {} pendant que vous la modifiiez "
                "(version {} → {}). Vos modifications n'ont pas été enregistrées, pour ne pas "
                "écraser les siennes. Changements faits entre-temps : {} "
                "Rechargez la page pour repartir de la version actuelle.",
                who,
                when,
                loaded,
                current,
                changes or "aucun champ visible.",
            ),
            code="stale_version",
        )

    def _check_duplicates(self, cleaned):
        model = self._meta.model
        if self.instance.pk and not any(f in self.changed_data for f in DUPLICATE_FIELDS):
            return
        values = {f: cleaned.get(f) or "" for f in DUPLICATE_FIELDS if f in self.fields}
        duplicates = find_duplicates(model, exclude_pk=self.instance.pk, **values)
        if not duplicates:
            return
        opts = model._meta
        items = format_html_join(
            "",
            '<li><a href="{}" target="_blank">{}</a> ({}) : {}</li>',
            (
                (
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[d.obj.pk]),
                    d.obj.name,
                    d.obj.get_publication_status_display(),
                    " ; ".join(d.reasons),
                )
                for d in duplicates
            ),
        )
        raise ValidationError(
            format_html(
                "Doublon probable : {} proche(s) existe(nt) déjà. <ul>{}</ul> "
                "Vérifiez ces fiches ; s'il s'agit bien d'une autre entrée, cochez "
                "« Ce n'est pas un doublon » et enregistrez à nouveau.",
                opts.verbose_name,
                items,
            ),
            code="duplicate",
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif de l'archivage", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SectorForm(forms.Form):
    sector = forms.ModelChoiceField(label="Secteur à ajouter", queryset=None)

    def __init__(self, *args, **kwargs):
        from initiatives.models import Sector

        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.all()


class TagForm(forms.Form):
    # A tag of punctuation only would get an empty slug (no URL, no filter value): refused here.
    tag = forms.CharField(label="Mot-clé à ajouter", max_length=100, validators=[validate_tag_name])
