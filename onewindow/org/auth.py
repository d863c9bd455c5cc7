"""Authentication backend. Password login now; the provincial unified identity platform
(统一身份认证) plugs in as another backend that maps its subject to ``User.external_subject``."""

from django.contrib.auth.backends import ModelBackend


class OneWindowBackend(ModelBackend):
    """Django's model backend; a seam for identity providers."""
