"""API tokens, stored hashed: the key is shown once when it is made, then nobody can read it again.

Why our own small model rather than a library: DRF's `authtoken` keeps the key in clear (anyone
who reads the table or its admin acts as the token's user), and django-rest-knox, which hashes,
is built around a login endpoint that hands out short-lived tokens; it has no label, no
last-used date and no revoked state, which curators need to manage long-lived service tokens
from the admin. This is a table, a hash and an authentication class.

The key is 256 random bits, so a plain SHA-256 is enough (no salt or slow hash: those defend
guessable passwords, and a random key cannot be guessed); the digest is unique and indexed,
so checking a key is one lookup. The first characters stay in clear to tell tokens apart.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = 60


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now), revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="compte", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nom", max_length=100, help_text="À quoi sert ce jeton (un service, un script…).")
    prefix = models.CharField("début de la clé", max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True, editable=False)
    expires_at = models.DateTimeField("expire le", null=True, blank=True, help_text="Vide : n'expire pas.")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]
        permissions = [("manage_others_apitoken", "Peut créer et révoquer les jetons d'API d'autres comptes")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def create_for(cls, user, name, *, created_by=None, expires_at=None):
        """A new token and its key: the key is returned here once and never stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            digest=hash_key(key),
            created_by=created_by,
            expires_at=expires_at,
        )
        return token, key

    def set_key(self):
        """Give an unsaved token its key (the admin's add form); returns the key to show once."""
        key = secrets.token_urlsafe(32)
        self.prefix, self.digest = key[:PREFIX_LENGTH], hash_key(key)
        return key

    def clean(self):
        if self._state.adding and self.expires_at is not None and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": "La date d'expiration doit être dans le futur."})

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def state(self):
        if self.revoked_at:
            return "révoqué"
        return "expiré" if self.is_expired else "actif"

    def touch(self):
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
