"""The admin of API tokens: make one (its key shown once), list them, revoke them.

A token acts as its user, so whoever can make a token for someone can act in their name. Each
account with the token permissions (both roles, see curation/roles.py) makes and revokes only its
own tokens; making or revoking another account's needs `curation.manage_others_apitoken`, which no
role grants (superusers have it), and even then a non-superuser never touches a superuser's
tokens. Nobody can read a key after its creation: only its SHA-256 digest is stored, and the
admin never shows the digest either.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from curation.tokens import ApiToken

DETAIL_FIELDS = [
    "name",
    "user",
    "prefix",
    "state",
    "created_at",
    "created_by",
    "last_used_at",
    "expires_at",
    "revoked_at",
]


def manages_others(request):
    return request.user.has_perm("curation.manage_others_apitoken")


class StateFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("actif", "actifs"), ("revoque", "révoqués"), ("expire", "expirés")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "actif":
            return queryset.usable()
        if self.value() == "revoque":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expire":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "key_start", "user", "state", "created_at", "last_used_at", "expires_at"]
    list_filter = [StateFilter]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["action_revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user", "created_by")
        if request.user.is_superuser:
            return queryset
        if manages_others(request):
            return queryset.filter(Q(user__is_superuser=False) | Q(user=request.user))
        return queryset.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return DETAIL_FIELDS
        return ["user", "name", "expires_at"] if manages_others(request) else ["name", "expires_at"]

    def get_readonly_fields(self, request, obj=None):
        # A token never changes after its creation; revoking is the action below.
        return DETAIL_FIELDS if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = get_user_model().objects.filter(is_active=True)
            if not request.user.is_superuser:
                users = users.filter(Q(is_superuser=False) | Q(pk=request.user.pk))
            kwargs["queryset"] = users.order_by("username")
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay listed, as a record; only superusers clean up.
        return request.user.is_superuser

    @admin.display(description="début de la clé")
    def key_start(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description="état")
    def state(self, obj):
        return obj.state

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is editable; see get_readonly_fields
        if not manages_others(request):
            obj.user = request.user
        obj.created_by = request.user
        key = obj.set_key()
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            format_html(
                "Clé du jeton « {} » pour {} : <code>{}</code> — copiez-la maintenant, "
                "elle ne sera plus jamais affichée (seule son empreinte est conservée).",
                obj.name,
                obj.user,
                key,
            ),
            messages.WARNING,
        )

    @admin.action(description="Révoquer les jetons sélectionnés", permissions=["change"])
    def action_revoke(self, request, queryset):
        done = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{done} jeton(s) révoqué(s).", messages.SUCCESS)
