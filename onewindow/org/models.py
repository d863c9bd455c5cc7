"""People and places: departments, service points, windows, staff roles, applicants,
authorisation letters (授权书)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Every account: staff and applicants. ``display_name`` is the Chinese full name."""

    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    # Where the identity was proven: "local" password login now; the provincial unified
    # identity platform (统一身份认证) later, through an authentication backend.
    identity_provider = models.CharField("身份来源", max_length=32, default="local")
    external_subject = models.CharField("外部身份标识", max_length=128, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # One account per subject of an external identity provider (see org/auth.py).
            models.UniqueConstraint(
                fields=["identity_provider", "external_subject"],
                condition=~models.Q(external_subject=""),
                name="user_unique_external_subject",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(models.Model):
    """A government department (区市场监管局, ...); the implementing body of items."""

    code = models.CharField("部门编码", max_length=32, unique=True)
    name = models.CharField("部门名称", max_length=128, unique=True)
    short_name = models.CharField("简称", max_length=32, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    phone = models.CharField("咨询电话", max_length=32, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ServicePointLevel(models.TextChoices):
    DISTRICT = "district", _("区级政务服务中心")
    TOWN = "town", _("镇街便民服务中心")
    VILLAGE = "village", _("村（社区）便民服务站")
    POST = "post", _("邮政代办点")
    BANK = "bank", _("银行代办点")


class ServicePoint(models.Model):
    """A place where items are handled: the three-level network plus proxy points."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    level = models.CharField("层级", max_length=16, choices=ServicePointLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area_code = models.CharField("行政区划代码", max_length=12, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)
    # Office hours as [["09:00", "12:00"], ["13:30", "17:00"]]: used for hour-limited items.
    office_hours = models.JSONField("办公时间", default=list, blank=True)
    opening_note = models.CharField("办公时间说明", max_length=255, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务网点"
        verbose_name_plural = "服务网点"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WindowKind(models.TextChoices):
    UNIVERSAL = "universal", _("无差别综合窗口")
    DEDICATED = "dedicated", _("专业窗口")
    BUNDLE = "bundle", _("一件事专窗")
    OUTPUT = "output", _("统一出件窗口")
    HELP = "help", _("帮办代办窗口")
    COMPLAINT = "complaint", _("办不成事反映窗口")


class Window(models.Model):
    service_point = models.ForeignKey(
        ServicePoint, verbose_name="服务网点", on_delete=models.CASCADE, related_name="windows"
    )
    number = models.CharField("窗口号", max_length=16)
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=WindowKind.choices)
    departments = models.ManyToManyField(
        Department, verbose_name="受理部门", blank=True, related_name="windows"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["service_point", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service_point", "number"], name="window_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.service_point.name} {self.number}号 {self.name}"


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    WINDOW_CLERK = "window_clerk", _("窗口受理人员")
    PRE_REVIEWER = "pre_reviewer", _("预审人员")
    APPROVER = "approver", _("审批人员")
    SECTION_CHIEF = "section_chief", _("科室负责人")
    CHIEF_REPRESENTATIVE = "chief_representative", _("首席代表")
    SUPERVISOR = "supervisor", _("督查人员")
    CENTRE_ADMIN = "centre_admin", _("中心管理员")
    DEPARTMENT_ADMIN = "department_admin", _("部门管理员")


class RoleAssignment(models.Model):
    """A role held by a staff member, scoped to a department and/or a service point.

    A blank department means "all departments" (centre-wide roles such as the supervisor);
    a blank service point means "every service point".
    """

    user = models.ForeignKey(
        User, verbose_name="人员", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name="服务网点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = "角色授予"
        verbose_name_plural = "角色授予"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department", "service_point"],
                name="role_assignment_unique",
            )
        ]

    def __str__(self) -> str:
        scope = " / ".join(str(s) for s in (self.department, self.service_point) if s) or "全局"
        return f"{self.user} · {self.get_role_display()} · {scope}"


class ApplicantKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人及其他组织")


class Applicant(models.Model):
    """Someone who applies: a natural person (resident ID) or a legal person (USCC)."""

    kind = models.CharField("类型", max_length=16, choices=ApplicantKind.choices)
    name = models.CharField("名称/姓名", max_length=128)
    resident_id = models.CharField("居民身份证号码", max_length=18, blank=True, db_index=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    legal_representative = models.CharField("法定代表人", max_length=64, blank=True)
    legal_representative_id = models.CharField("法定代表人身份证号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    users = models.ManyToManyField(
        User, verbose_name="可代表其办事的账号", blank=True, related_name="applicants"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        constraints = [
            models.UniqueConstraint(
                fields=["resident_id"],
                condition=models.Q(kind="natural"),
                name="applicant_unique_resident_id",
            ),
            models.UniqueConstraint(
                fields=["uscc"], condition=models.Q(kind="legal"), name="applicant_unique_uscc"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="natural", resident_id__regex=r"^\d{17}[\dX]$")
                    | models.Q(kind="legal", uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
                ),
                name="applicant_identifier_present",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AuthorisationLetter(models.Model):
    """授权书: a department grants an officer in the hall final-decision authority (终审权)
    over listed items, between two dates. Items are named by their stable item code so that
    the letter survives new versions of an item."""

    number = models.CharField("授权书编号", max_length=64, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name="授权部门",
        on_delete=models.PROTECT,
        related_name="authorisation_letters",
    )
    officer = models.ForeignKey(
        User,
        verbose_name="被授权人",
        on_delete=models.PROTECT,
        related_name="authorisation_letters",
    )
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revocation_reason = models.CharField("撤销原因", max_length=255, blank=True)
    note = models.TextField("说明", blank=True)
    issued_by = models.ForeignKey(
        User,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)

    class Meta:
        verbose_name = "授权书"
        verbose_name_plural = "授权书"
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="authorisation_letter_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.department} → {self.officer}"


class AuthorisationLetterItem(models.Model):
    letter = models.ForeignKey(
        AuthorisationLetter, verbose_name="授权书", on_delete=models.CASCADE, related_name="items"
    )
    item_code = models.CharField("事项编码", max_length=80, db_index=True)

    class Meta:
        verbose_name = "授权事项"
        verbose_name_plural = "授权事项"
        constraints = [
            models.UniqueConstraint(fields=["letter", "item_code"], name="letter_item_unique")
        ]

    def __str__(self) -> str:
        return self.item_code


class OnTheSpotAuthority(AuthorisationLetterItem):
    """The admin's "who may decide on the spot" overview: letter items seen from the item."""

    class Meta:
        proxy = True
        verbose_name = "终审权事项"
        verbose_name_plural = "终审权事项一览（谁可当场决定）"
