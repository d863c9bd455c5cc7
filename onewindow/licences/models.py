"""Permits and industry licences (一业一证), see docs/licences.md.

``Permit``: the result of one approved case (a licence, a filing, a certificate), created
when the case is concluded (办结). Its stored ``status`` is valid / revoked (撤销) /
cancelled (注销); expiry is by date: a valid permit past ``valid_until`` reads as expired
everywhere (``selectors.permit_state``), and the daily sweep records the ``permit.expired``
event once (``expiry_recorded_at``).

``IndustryLicence``: the one outcome of a bundle marked as an industry
(``BundleVersion.industry_licence``): it lists the component permits; its status is computed
from them, never stored, so a revoked or expired component shows at once. ``token`` is the
random, unguessable key of its public page and QR code.

The e-licence issue (signing, seals, public verification of each permit) attaches to these
rows: a signature belongs to a ``Permit`` or an ``IndustryLicence``, nothing here changes.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import ItemVersion, ServiceItem
from onewindow.org.models import Applicant, Department


def new_token() -> str:
    """A public random key (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


class PermitStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    CANCELLED = "cancelled", _("已注销")


class PermitTerm(models.Model):
    """How long the result of an item is valid (e.g. 食品经营许可证: 60 months). An item
    without a term gives permits of indefinite validity. Administrators keep it."""

    item = models.OneToOneField(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="permit_term"
    )
    months = models.PositiveSmallIntegerField(_("有效期（月）"))

    class Meta:
        verbose_name = _("证照有效期")
        verbose_name_plural = _("证照有效期")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.months}"


class Permit(models.Model):
    number = models.CharField(_("证照编号"), max_length=64, unique=True)
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="permit"
    )
    holder = models.ForeignKey(
        Applicant, verbose_name=_("持证人"), on_delete=models.PROTECT, related_name="permits"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="permits"
    )
    item_version = models.ForeignKey(
        ItemVersion, verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("证照名称"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("发证部门"), on_delete=models.PROTECT, related_name="permits"
    )
    issued_at = models.DateTimeField(_("发证时间"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)  # None: 长期有效
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PermitStatus.choices,
        default=PermitStatus.VALID,
        db_index=True,
    )
    revoked_at = models.DateTimeField(_("撤销/注销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("撤销/注销原因"), blank=True)
    expiry_recorded_at = models.DateTimeField(_("到期记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("许可证照")
        verbose_name_plural = _("许可证照")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class IndustryLicence(models.Model):
    number = models.CharField(_("行业综合许可证编号"), max_length=64, unique=True)
    token = models.CharField(_("公开查验码"), max_length=64, unique=True, default=new_token)
    name = models.CharField(_("行业综合许可证名称"), max_length=128)
    holder = models.ForeignKey(
        Applicant,
        verbose_name=_("持证人"),
        on_delete=models.PROTECT,
        related_name="industry_licences",
    )
    bundle = models.ForeignKey(
        "bundles.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="+"
    )
    bundle_version = models.ForeignKey(
        "bundles.BundleVersion",
        verbose_name=_("一件事版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    bundle_case = models.OneToOneField(
        "cases.BundleCase",
        verbose_name=_("一件事办件"),
        on_delete=models.PROTECT,
        related_name="industry_licence",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("发证部门（牵头）"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("发证时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    permits = models.ManyToManyField(
        Permit,
        verbose_name=_("组成许可"),
        through="IndustryLicenceComponent",
        related_name="industry_licences",
    )

    class Meta:
        verbose_name = _("行业综合许可证")
        verbose_name_plural = _("行业综合许可证")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class IndustryLicenceComponent(models.Model):
    licence = models.ForeignKey(
        IndustryLicence, on_delete=models.CASCADE, related_name="components"
    )
    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="components")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("组成许可")
        verbose_name_plural = _("组成许可")
        ordering = ["licence", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "permit"], name="licence_component_unique")
        ]

    def __str__(self) -> str:
        return f"{self.licence_id}/{self.permit_id}"


class LicenceEventKind(models.TextChoices):
    ISSUED = "issued", _("发证")
    COMPONENT_REVOKED = "component_revoked", _("组成许可被撤销")
    COMPONENT_CANCELLED = "component_cancelled", _("组成许可被注销")
    COMPONENT_EXPIRED = "component_expired", _("组成许可有效期届满")


class LicenceEvent(models.Model):
    """What happened to an industry licence (shown on its page, with the audit trail)."""

    licence = models.ForeignKey(IndustryLicence, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=24, choices=LicenceEventKind.choices)
    permit = models.ForeignKey(
        Permit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("行业综合许可证事件")
        verbose_name_plural = _("行业综合许可证事件")
        ordering = ["licence", "at", "id"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.kind} {self.at:%Y-%m-%d}"
